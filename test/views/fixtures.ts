import type { Call, Note } from "@prisma/client";
import type { CallStats } from "../../src/services/stats/stats-service.js";

// Rows as the stores return them, for the views' unit tests: every field set, the ones a test cares
// about overridden.

export const AT = new Date("2026-11-24T19:00:00Z");

/** A name a person could type: Slack mentions, a link, formatting and an entity, all of which must stay inert. */
export const HOSTILE_NAME = "<!channel> *Jane* <https://evil.example|click> & <@U0ADMIN01> `x`";

export function callRow(over: Partial<Call> = {}): Call {
  return {
    id: 7,
    workspaceId: 1,
    leadId: 12,
    activeLeadId: null,
    mode: "message",
    fromNumber: "+15005550006",
    toNumber: "+12125550182",
    twilioSid: `CA${"a".repeat(32)}`,
    status: "queued",
    answeredBy: null,
    durationSec: null,
    price: null,
    priceUnit: null,
    outcome: null,
    outcomeBy: null,
    outcomeAt: null,
    lastSequence: -1,
    slackChannel: null,
    slackTs: null,
    slackThreadTs: null,
    placedBy: "U0MARIA01",
    errorCode: null,
    errorMessage: null,
    voicemailLeft: false,
    recordingSid: null,
    agentNumber: null,
    agentLegStatus: null,
    leadLegSid: null,
    originKey: null,
    postVersion: 0,
    postShown: -1,
    postState: "pending",
    postLock: null,
    postLockUntil: null,
    pollLeaseUntil: null,
    priceCheckedAt: null,
    createdAt: AT,
    updatedAt: AT,
    endedAt: null,
    ...over,
  } as Call;
}

export function noteRow(over: Partial<Note> = {}): Note {
  return { id: 1, leadId: 12, author: "U0MARIA01", body: "Asked about 12 Elm St", createdAt: AT, ...over };
}

/** Everything a person reads in a message or view: texts of blocks and elements, never ids or values. */
export function shownText(value: unknown): string {
  const out: string[] = [];
  const walk = (node: unknown, key?: string) => {
    if (typeof node === "string") {
      if (key === "text" || key === "title" || key === "placeholder") out.push(node);
      return;
    }
    if (Array.isArray(node)) for (const item of node) walk(item);
    else if (node && typeof node === "object")
      for (const [k, v] of Object.entries(node)) if (k !== "value" && k !== "action_id" && k !== "block_id") walk(v, k);
  };
  walk(value);
  return out.join("\n");
}

export const totals = (placed: number, connected: number, talkSec: number) => ({ placed, connected, talkSec });

export function statsOf(over: Partial<CallStats> = {}): CallStats {
  return {
    totals: totals(12, 5, 754),
    perAgent: [
      { agentId: "U0MARIA01", ...totals(8, 4, 600) },
      { agentId: "U0SAM0001", ...totals(4, 1, 154) },
    ],
    perDay: [],
    outcomes: [
      { outcome: "not_interested", count: 2 },
      { outcome: "interested", count: 3 },
    ],
    cost: [{ unit: "USD", amount: -1.234 }],
    inbound: { answered: 2, missed: 1, perDay: [] },
    texts: { sent: 0, delivered: 0, failed: 0, replies: 0, optOuts: 0, perAgent: [] },
    range: {
      from: new Date("2026-11-23T05:00:00Z"),
      to: new Date("2026-11-24T19:00:00Z"),
      label: "this week",
      days: [],
      zone: "America/Chicago",
    },
    ...over,
  };
}
