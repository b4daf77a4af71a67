import { describe, expect, it } from "vitest";
import type { InboundWithLead } from "../../src/services/inbound/inbound-store.js";
import { inboundCallMessage, transcriptMessage, voicemailMessage } from "../../src/views/inbound.js";

const call = (over: Partial<InboundWithLead> = {}): InboundWithLead => ({
  id: 7,
  workspaceId: 1,
  leadId: null,
  lead: null,
  fromNumber: "+12125550182",
  toNumber: "+12015550100",
  twilioSid: `CA${"a".repeat(32)}`,
  status: "ringing",
  ringAgentId: "U0MARIA01",
  ringNumber: "+12015550199",
  answeredBy: null,
  durationSec: null,
  recordingSid: null,
  recordingSec: null,
  transcript: null,
  slackChannel: null,
  slackTs: null,
  slackThreadTs: null,
  createdAt: new Date("2026-11-24T19:00:00Z"),
  updatedAt: new Date("2026-11-24T19:00:00Z"),
  endedAt: null,
  ...over,
});

describe("an inbound call's post", () => {
  it("shows a caller's number formatted, and who it rings", () => {
    const line = inboundCallMessage(call());
    expect(line.text).toBe(":calling: An unknown caller is calling (+1 212 555 0182) · ringing <@U0MARIA01>");
  });

  it("escapes a From that is not a phone number (client:, sip:): no mention, no link reaches the channel", () => {
    for (const from of ["client:<!here>", "sip:<https://evil.example|click me>@x", "<@U0ADMIN01>"]) {
      const line = inboundCallMessage(call({ fromNumber: from }));
      // What Slack shows: the text and every text of the blocks (a button's value is data, never shown).
      const shown = JSON.stringify(line, (key, value) => (key === "value" ? undefined : value));
      expect(shown).not.toMatch(/<!here>|<https:|<@U0ADMIN01>/);
      expect(line.text).toContain("&lt;");
      for (const message of [
        voicemailMessage(call({ fromNumber: from }), false),
        transcriptMessage(call({ fromNumber: from, transcript: "hi" })),
      ])
        expect(message.text).not.toMatch(/<!here>|<https:|<@U0ADMIN01>/);
    }
  });
});
