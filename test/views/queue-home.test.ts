import { describe, expect, it } from "vitest";
import { blockKitProblems } from "../../sandbox/slack/block-kit/index.js";
import { UserError } from "../../src/lib/errors.js";
import { ids, queueFields } from "../../src/lib/ids.js";
import { queueFormErrors, queueModal } from "../../src/views/queue-modal.js";
import { homeQueues } from "../../src/views/queues.js";
import { HOSTILE_NAME, shownText } from "./fixtures.js";

// App Home's call queues and the admin's queue form: what an agent and an admin see, within Block Kit's limits.

const queues = [
  { id: 1, name: "Zillow week", left: 40, running: false },
  { id: 2, name: HOSTILE_NAME, left: 1, running: false },
];
const actionIds = (blocks: ReturnType<typeof homeQueues>) =>
  JSON.stringify(blocks).match(/"action_id":"[a-z_]+"/g) ?? [];

describe("App Home's call queues", () => {
  it("an agent sees each queue, what is left, Start calling; no admin buttons; names escaped", () => {
    const blocks = homeQueues({ queues, total: 2 }, false);
    const shown = shownText(blocks);
    expect(shown).toContain("*Call queues* (2)");
    expect(shown).toContain("*Zillow week* · 40 leads left");
    expect(shown).toContain(" · 1 lead left");
    expect(shown).not.toContain("<!channel>");
    expect(actionIds(blocks)).toEqual([
      `"action_id":"${ids.queue.homeStartAction}"`,
      `"action_id":"${ids.queue.homeStartAction}"`,
    ]);
    expect(blockKitProblems(blocks, "home")).toEqual([]);
  });

  it("an admin also gets New queue, Edit and Delete (with a confirmation); a run going hides Start calling", () => {
    const blocks = homeQueues({ queues: [{ ...queues[0]!, running: true }, queues[1]!], total: 10 }, true);
    const json = JSON.stringify(blocks);
    expect(json).toContain(ids.queue.homeNewAction);
    expect(json).toContain(ids.queue.homeEditAction);
    expect(json).toContain('"confirm":{"title":{"type":"plain_text","text":"Delete this queue?"');
    expect(json).not.toContain(ids.queue.homeStartAction);
    expect(shownText(blocks)).toContain("*you are working it*");
    expect(shownText(blocks)).toContain("…and 8 more: `/call-queue list` lists them all.");
    expect(blockKitProblems(blocks, "home")).toEqual([]);
  });

  it("no queues: says who makes them", () => {
    expect(shownText(homeQueues({ queues: [], total: 0 }, false))).toContain("a Leadline admin makes them");
    expect(shownText(homeQueues({ queues: [], total: 0 }, true))).toContain("*New queue* makes one");
  });
});

describe("the admin's queue form", () => {
  it("opens empty with the standard settings, or on a queue as saved; within Block Kit's limits", () => {
    const fresh = queueModal(undefined);
    expect(fresh.private_metadata).toBe("{}");
    expect(JSON.stringify(fresh)).toContain('"initial_value":"60"');
    expect(blockKitProblems(fresh.blocks, "modal")).toEqual([]);
    const saved = queueModal({
      id: 7,
      name: "Florida callbacks",
      filter: JSON.stringify({ state: "FL", callbackDue: true }),
      orderBy: "new",
      recallGapMin: 30,
      maxAttempts: 3,
      removeOutcomes: "do_not_call,wrong_number",
      autoAdvanceSec: 10,
    } as never);
    const json = JSON.stringify(saved);
    expect(saved.private_metadata).toBe('{"queueId":7}');
    expect(json).toContain('"initial_value":"Florida callbacks"');
    expect(json).toContain('"initial_value":"FL"');
    expect(json).toContain('"initial_option":{"text":{"type":"plain_text","text":"New leads first (by arrival)"');
    expect(json).toContain('"initial_options":[{"text":{"type":"plain_text","text":"Callback due"');
    expect(blockKitProblems(saved.blocks, "modal")).toEqual([]);
  });

  it("a refused save says each setting's problem beside its field; anything else under the name", () => {
    const invalid = UserError.of("queue_invalid", {
      problems: [],
      fields: { "filter.state": "the state must be a two-letter code such as FL", "removeOutcomes.0": "bad" },
    });
    expect(queueFormErrors(invalid, "x")).toEqual({
      [queueFields.state]: "The state must be a two-letter code such as FL.",
      [queueFields.removeOutcomes]: "Bad.",
    });
    expect(queueFormErrors(UserError.of("queue_name_taken", { name: "Q" }), "Taken.")).toEqual({
      [queueFields.name]: "Taken.",
    });
  });
});
