import type { Lead } from "@prisma/client";
import { describe, expect, it } from "vitest";
import type { EventBus } from "../../../src/lib/events.js";
import { createLogger } from "../../../src/lib/log.js";
import type { CallerId, CallerIdChoice } from "../../../src/services/callerid/callerid-service.js";
import { createTextSender } from "../../../src/services/callerid/text-sender.js";
import type { TwilioSettings } from "../../../src/services/setup/settings.js";
import type { TwilioFor } from "../../../src/services/twilio/workspace-twilio.js";

// Which number a text goes out from: the lead's caller ID among the Messaging Service's senders.

const TEAM = "+15005550006";
const MIAMI_786 = "+17865550100";
const SERVICE = `MG${"1".repeat(32)}`;
const settings = { phoneNumber: TEAM, messagingServiceSid: SERVICE } as TwilioSettings;
const jane = { id: 7, phone: "+13055551234", state: null, zip: null } as Lead;
const NOW = new Date("2026-12-07T19:00:00Z");

function harness(options: { senders?: string[]; fails?: boolean; picks?: Partial<CallerIdChoice> } = {}) {
  const asked: { among?: ReadonlySet<string>; uncounted?: boolean }[] = [];
  const confirmed: string[] = [];
  let lists = 0;
  const callerId: Pick<CallerId, "choose" | "confirm"> = {
    async choose(ws, _lead, teamNumber, _now, chooseOptions = {}) {
      asked.push(chooseOptions);
      const pick = options.picks ?? { number: MIAMI_786, rule: "local" };
      return { workspaceId: ws, number: pick.number ?? teamNumber, rule: pick.rule ?? "team", day: "2026-12-07" };
    },
    async confirm(choice) {
      confirmed.push(choice.number);
    },
  };
  const twilioFor = (async () => ({
    client: {
      messaging: {
        v1: {
          services: (sid: string) => ({
            phoneNumbers: {
              list: async () => {
                lists += 1;
                if (options.fails) throw Object.assign(new Error("Service unavailable"), { status: 503 });
                expect(sid).toBe(SERVICE);
                return (options.senders ?? [TEAM, MIAMI_786]).map((phoneNumber) => ({ phoneNumber }));
              },
            },
          }),
        },
      },
    },
  })) as unknown as TwilioFor;
  let now = NOW;
  let added: ((payload: { ws: number; number: string }) => void) | undefined;
  const events = {
    on: (name: string, handler: (payload: { ws: number; number: string }) => void) => {
      expect(name).toBe("callerid.number_added");
      added = handler;
      return () => {};
    },
  } as unknown as Pick<EventBus, "on">;
  const sender = createTextSender({ callerId, twilioFor, now: () => now, log: createLogger("silent"), events });
  return {
    sender,
    asked,
    confirmed,
    lists: () => lists,
    later: (ms: number) => {
      now = new Date(now.getTime() + ms);
    },
    numberAdded: (ws: number) => added?.({ ws, number: MIAMI_786 }),
  };
}

describe("createTextSender", () => {
  it("picks among the Messaging Service's senders, uncounted, and keeps the number once sent", async () => {
    const h = harness();
    const from = await h.sender.choose(1, jane, settings, NOW);
    expect(from.from).toBe(MIAMI_786);
    expect(h.asked).toEqual([{ among: new Set([TEAM, MIAMI_786]), uncounted: true }]);
    expect(h.confirmed).toEqual([]);
    await from.sent();
    expect(h.confirmed).toEqual([MIAMI_786]);
  });

  it("the team number when nothing fits, never kept as the lead's number", async () => {
    const h = harness({ picks: { number: TEAM, rule: "team" } });
    const from = await h.sender.choose(1, jane, settings, NOW);
    expect(from.from).toBe(TEAM);
    await from.sent();
    expect(h.confirmed).toEqual([]);
  });

  it("no From when the pick is not a sender (the service picks), or texting has no service", async () => {
    const h = harness({ senders: [MIAMI_786], picks: { number: TEAM, rule: "team" } });
    expect((await h.sender.choose(1, jane, settings, NOW)).from).toBeUndefined();
    const none = await h.sender.choose(1, jane, { phoneNumber: TEAM } as TwilioSettings, NOW);
    expect(none.from).toBeUndefined();
  });

  it("Twilio not answering the senders' list leaves the choice to the service: the text is not held up", async () => {
    const h = harness({ fails: true });
    const from = await h.sender.choose(1, jane, settings, NOW);
    expect(from.from).toBeUndefined();
    expect(h.lists()).toBe(1);
    expect(h.asked).toEqual([]);
  });

  it("reads the senders at most once a minute per workspace", async () => {
    const h = harness();
    await h.sender.choose(1, jane, settings, NOW);
    await h.sender.choose(1, jane, settings, NOW);
    expect(h.lists()).toBe(1);
    await h.sender.choose(2, jane, settings, NOW);
    expect(h.lists()).toBe(2);
    h.later(60_001);
    await h.sender.choose(1, jane, settings, NOW);
    expect(h.lists()).toBe(3);
    await h.sender.choose(2, jane, settings, NOW);
    await h.sender.choose(2, jane, settings, NOW);
    expect(h.lists()).toBe(4);
    // A number just added to the pool (and the senders) is seen by the next text, not a minute later.
    h.numberAdded(2);
    await h.sender.choose(1, jane, settings, NOW);
    expect(h.lists()).toBe(4);
    await h.sender.choose(2, jane, settings, NOW);
    expect(h.lists()).toBe(5);
  });
});
