import type { CallQueue } from "@prisma/client";
import { describe, expect, it } from "vitest";
import { queueList, queueSaved } from "../../src/views/queues.js";

// What an admin reads when a queue is saved or listed: words, never the stored codes.

const queue = (over: Partial<CallQueue>) =>
  ({
    id: 1,
    workspaceId: 1,
    name: "Zillow week",
    filter: "{}",
    orderBy: "new",
    recallGapMin: 60,
    maxAttempts: 6,
    removeOutcomes: "do_not_call,wrong_number,appointment,not_interested",
    autoAdvanceSec: null,
    ...over,
  }) as CallQueue;

describe("a queue described to an admin", () => {
  it("says its outcomes and order in words, not codes", () => {
    const { text } = queueSaved(queue({}), "created");
    expect(text).toContain("every lead with a phone · new leads first · re-call gap 60 min · max 6 attempts");
    expect(text).toContain("out of the queue after: Do not call, Wrong number");
    expect(text).toContain("agent-paced");
    expect(text).not.toMatch(/do_not_call|wrong_number|not_interested/);
  });

  it("says the filter as an agent reads it; the owner as a mention", () => {
    const filter = JSON.stringify({ source: "Zillow", owner: "U123ABC", neverCalled: true, lastOutcome: "callback" });
    const { text } = queueList([queue({ filter, orderBy: "fewest", removeOutcomes: "", autoAdvanceSec: 10 })]);
    expect(text).toContain("leads with owner <@U123ABC>, source Zillow, last outcome");
    expect(text).toContain("never called · fewest attempts first");
    expect(text).toContain("no outcome takes a lead out");
    expect(text).toContain("auto-advance 10 s");
    expect(text).not.toMatch(/neverCalled|lastOutcome/);
  });
});
