import { describe, expect, it } from "vitest";
import { blockKitProblems } from "../../sandbox/slack/block-kit/index.js";
import { ExternalError } from "../../src/lib/errors.js";
import type { CallFactKind } from "../../src/services/calls/modes.js";
import type { CallPost } from "../../src/services/calls/post-store.js";
import { callPostMessage, recordingLinkMessage, statusText } from "../../src/views/call-message.js";
import { errorMessage } from "../../src/views/errors.js";
import { callRow, HOSTILE_NAME, shownText } from "./fixtures.js";

// The channel message of a call (its "post"), edited as the call moves: the one line agents watch.

const post = (over: Partial<CallPost> = {}, facts: CallFactKind[] = [], name = "Jane Doe"): CallPost => ({
  ...callRow(over),
  lead: { id: 12, name },
  facts,
});

const actionIds = (blocks: unknown[]) =>
  blocks.flatMap((block) =>
    ((block as { elements?: { action_id?: string }[] }).elements ?? []).flatMap((e) =>
      e.action_id ? [e.action_id] : [],
    ),
  );

describe("a call's channel message", () => {
  it("while the call runs: who calls whom from which number, the mode and the status; the SID and lead below", () => {
    const message = callPostMessage(post());
    expect(message.text).toBe(
      ":telephone_receiver: <@U0MARIA01> is calling *Jane Doe* (+1 212 555 0182) from +1 500 555 0006 · Message call · queued",
    );
    expect(shownText(message.blocks)).toBe(`${message.text}\nCall SID CA${"a".repeat(32)} · lead #12`);
    expect(actionIds(message.blocks)).toEqual([]);
    expect(blockKitProblems(message.blocks, "message")).toEqual([]);
  });

  it("ended: every fact learned, then the six outcome buttons", () => {
    const message = callPostMessage(post({ status: "completed", durationSec: 133, answeredBy: "human" }));
    expect(message.text).toBe(
      ":telephone_receiver: <@U0MARIA01> called *Jane Doe* (+1 212 555 0182) from +1 500 555 0006 · Message call · completed (2m 13s, answered by a person)",
    );
    expect(actionIds(message.blocks)).toEqual([
      "outcome_interested",
      "outcome_appointment",
      "outcome_callback",
      "outcome_not_interested",
      "outcome_wrong_number",
      "outcome_do_not_call",
      "text_open",
    ]);
    expect(shownText(message.blocks.at(-1))).toBe("Text");
    expect(shownText(message.blocks.at(-2))).toBe(
      "Interested\nAppointment set\nCall back…\nNot interested\nWrong number\nDo not call",
    );
    expect(blockKitProblems(message.blocks, "message")).toEqual([]);
  });

  it("with its outcome: who set it, and a menu to change it to any other", () => {
    const message = callPostMessage(post({ status: "completed", outcome: "callback", outcomeBy: "U0SAM0001" }));
    const shown = shownText(message.blocks.slice(2));
    expect(shown).toBe(
      [
        ":white_check_mark: Outcome: *Call back* · by <@U0SAM0001>",
        "Change to: Interested",
        "Change to: Appointment set",
        "Change to: Not interested",
        "Change to: Wrong number",
        "Change to: Do not call",
        "Text",
      ].join("\n"),
    );
    expect(blockKitProblems(message.blocks, "message")).toEqual([]);
  });

  it("a live call nobody was dialled in: why, and Retry / Retry in 15 min instead of outcomes; a masked number", () => {
    const message = callPostMessage(post({ mode: "live", status: "no-answer" }, ["agent_no_key", "agent_hung_up"]), {
      maskNumbers: true,
    });
    expect(message.text).toBe(
      ":telephone_receiver: <@U0MARIA01> called *Jane Doe* (+1 ••• ••• 0182) from +1 500 555 0006 · Live call · no answer (the agent did not take the call (no key pressed; a voicemail may have answered): the lead was not dialed)",
    );
    expect(actionIds(message.blocks)).toEqual(["call_live", "schedule_retry"]);
    expect(JSON.stringify(message)).not.toContain("212 555");
    expect(blockKitProblems(message.blocks, "message")).toEqual([]);
  });

  it("a call Twilio refused ends with Twilio's code, words and docs link: the words a refused create gets", () => {
    const message = callPostMessage(
      post({
        mode: "live",
        status: "failed",
        errorCode: 13224,
        errorMessage: "Twilio does not support calling this number or the number is invalid",
      }),
    );
    const refusal =
      ":x: Twilio refused the call (13224): Twilio does not support calling this number or the number is invalid https://www.twilio.com/docs/errors/13224";
    expect(message.text.split("\n")).toEqual([expect.stringMatching(/ · Live call · failed$/), refusal]);
    expect(shownText(message.blocks[1])).toBe(refusal);
    // The clicker's answer to a refused create, from the same view.
    const told = errorMessage(
      new ExternalError("twilio", 21217, "Phone number does not appear to be valid", undefined, 400),
      { now: new Date(), what: "the call" },
    ).text;
    expect(told).toBe(
      ":x: Twilio refused the call (21217): Phone number does not appear to be valid https://www.twilio.com/docs/errors/21217",
    );
    // Twilio's words are escaped like any text from outside.
    const hostile = callPostMessage(post({ status: "failed", errorCode: 13224, errorMessage: "<!channel> *x*" }));
    expect(hostile.text).not.toContain("<!channel>");
    expect(blockKitProblems(message.blocks, "message")).toEqual([]);
  });

  it.each([
    ["busy", {}],
    ["no-answer", {}],
    ["failed", {}],
    ["completed", { answeredBy: "machine_end_beep" }],
  ] as const)(
    "a %s call offers only what fits a lead never reached: no Interested or Appointment set",
    (status, over) => {
      const ids = actionIds(callPostMessage(post({ status, ...over })).blocks);
      expect(ids.filter((id) => id.startsWith("outcome_"))).toEqual([
        "outcome_callback",
        "outcome_wrong_number",
        "outcome_do_not_call",
      ]);
    },
  );

  it("escapes the lead's name: no mention, link or formatting reaches the channel", () => {
    const message = callPostMessage(post({}, [], HOSTILE_NAME));
    const shown = shownText(message);
    expect(shown).not.toContain("<!channel>");
    expect(shown).not.toContain("<https://");
    expect(shown).not.toContain("<@U0ADMIN01>");
    expect(shown).toContain("&lt;!channel&gt;");
    expect(shown).toContain("&amp;");
    // The only mention is the agent who placed the call.
    expect(shown.match(/<@/g)).toHaveLength(2);
  });

  it("a very long name is cut to fit: the message stays inside Block Kit's limits", () => {
    const message = callPostMessage(post({}, [], `${"Ann ".repeat(2_000)}<b>`));
    expect(message.text.length).toBeLessThan(400);
    expect(message.text).toContain("…*");
    expect(blockKitProblems(message.blocks, "message")).toEqual([]);
  });
});

describe("statusText", () => {
  const base = { durationSec: null, answeredBy: null, voicemailLeft: false, facts: [] as CallFactKind[] };

  it("a live call before the lead's leg says what the agent's phone does", () => {
    const live = { ...base, mode: "live", leadLegSid: null };
    expect(statusText({ ...live, status: "queued", agentLegStatus: "initiated" })).toBe("calling the agent's phone");
    expect(statusText({ ...live, status: "queued", agentLegStatus: "ringing" })).toBe("ringing the agent's phone");
    expect(statusText({ ...live, status: "queued", agentLegStatus: "in-progress" })).toBe(
      "agent answered · dialing the lead",
    );
    // Once the lead's leg exists, or the call ended, the call's own status.
    expect(statusText({ ...live, status: "ringing", agentLegStatus: "in-progress", leadLegSid: "CA2" })).toBe(
      "ringing",
    );
  });

  it("says every fact once, in plain words", () => {
    expect(
      statusText({
        ...base,
        status: "completed",
        durationSec: 24,
        answeredBy: "machine_end_beep",
        voicemailLeft: true,
        facts: ["voicemail_left", "recording_in_thread"],
      }),
    ).toBe("completed (24s, answered by a machine, left a voicemail, recording in thread)");
    expect(statusText({ ...base, status: "completed", facts: ["pressed_9_opted_out"] })).toBe(
      "completed (pressed 9 → now on the do-not-call list)",
    );
    expect(statusText({ ...base, status: "unknown" })).toBe("unconfirmed");
    expect(statusText({ ...base, status: "in-progress" })).toBe("in progress");
  });
});

describe("recordingLinkMessage", () => {
  it("links the recording for 7 days", () => {
    expect(recordingLinkMessage({ twilioSid: "CA1" }, "https://leadline.example.com/r/1?sig=x")).toEqual({
      text: ":studio_microphone: Recording of call CA1: <https://leadline.example.com/r/1?sig=x|listen> (link valid for 7 days)",
    });
  });
});
