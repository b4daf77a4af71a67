import { describe, expect, it } from "vitest";
import { agentSettingsModal, agentSettingsSaved } from "../../src/views/call-card.js";
import { twilioSetupModal } from "../../src/views/twilio-setup.js";

// Item 3 of issue 23: the agent phone is the one a live call rings first (not only voice bridges),
// in /call-lead settings and in /twilio-setup; an agent clears their own with a blank or "none".

describe("the agent phone's words", () => {
  it("/twilio-setup says the team's agent phone is what a live call rings first, and that none removes it", () => {
    const modal = JSON.stringify(twilioSetupModal({ stored: {}, privateMetadata: "{}" }));
    expect(modal).toContain(
      "The phone a live call (Call) rings first, and a voice bridge puts the lead through to, for an agent who has set no phone of their own (/call-lead settings). Type none to remove.",
    );
    expect(modal).not.toContain("Where voice-bridge calls ring");
  });

  it("/call-lead settings says live calls ring it first, and how to clear it", () => {
    const modal = JSON.stringify(agentSettingsModal(undefined));
    expect(modal).toContain("a live call (the *Call* button) rings it before the lead is dialled");
    expect(JSON.stringify(agentSettingsSaved(undefined))).toContain("*Cleared.*");
  });
});
