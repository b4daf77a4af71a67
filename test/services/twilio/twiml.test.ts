import { describe, expect, it } from "vitest";
import { readTwiml, type TwimlNode } from "../../../sandbox/twilio/twiml-reader.js";
import { liveConnectTwiml } from "../../../src/services/calls/call-request.js";
import {
  bridgeCallTwiml,
  browserCallTwiml,
  connectToAgentTwiml,
  dialDoneTwiml,
  disclosureTwiml,
  fillMessage,
  hangUpTwiml,
  inboundAcceptTwiml,
  inboundRingTwiml,
  inboundVoicemailTwiml,
  inboundWhisperTwiml,
  liveAgentPromptTwiml,
  liveCallTwiml,
  OPT_OUT_WORDS,
  queueAgentPromptTwiml,
  queueJoinTwiml,
  sayAndHangUpTwiml,
  simpleCallTwiml,
} from "../../../src/services/twilio/twiml.js";

// Every TwiML document Leadline hands Twilio, byte for byte: the verbs, their order, every attribute
// (a wrong `method` or a missing `actionOnEmptyResult` changes what Twilio does), and the escaping of
// whatever a person typed (a lead's name, the team's message).

const XML = '<?xml version="1.0" encoding="UTF-8"?>';
const BASE = "https://leadline.example.com";
const TEAM = "+15005550006";
const LEAD = "+12125550182";
const AGENT = "+12125550199";
const HOSTILE = `Jane "J" O'Brien & <Co></Say><Dial>+19005550000</Dial>`;

/** The text of every <Say>, in order, as Twilio reads it (entities decoded). */
function said(xml: string): string[] {
  const out: string[] = [];
  const walk = (node: TwimlNode) => {
    if (node.name === "Say") out.push(node.text);
    for (const child of node.children) walk(child);
  };
  walk(readTwiml(xml));
  return out;
}

/** Every element name inside <Response>, in document order: what a hostile text could add shows up here. */
function verbs(xml: string): string[] {
  const out: string[] = [];
  const walk = (node: TwimlNode) => {
    out.push(node.name);
    for (const child of node.children) walk(child);
  };
  walk(readTwiml(xml));
  return out.slice(1);
}

describe("outbound calls", () => {
  it("message call: the message, a pause, Please hold", () => {
    expect(simpleCallTwiml("Hello from Acme Realty.")).toBe(
      `${XML}<Response><Say>Hello from Acme Realty.</Say><Pause length="2"/><Say>Please hold.</Say></Response>`,
    );
  });

  it("message call with recording and the 1/9 menu: the disclosure first, the menu in a Gather, a goodbye after it", () => {
    const action = `${BASE}/twilio/voice/menu?call=7&ws=3`;
    expect(simpleCallTwiml("Hello.", { disclosure: true, menu: { prompt: "Press 1 to talk now.", action } })).toBe(
      `${XML}<Response><Say>This call may be recorded.</Say><Say>Hello.</Say><Pause length="2"/>` +
        `<Gather numDigits="1" action="${BASE}/twilio/voice/menu?call=7&amp;ws=3" method="POST" timeout="6">` +
        "<Say>Please hold.</Say><Say>Press 1 to talk now.</Say></Gather>" +
        "<Say>Thank you for your time. Goodbye.</Say></Response>",
    );
  });

  it("voice bridge: the message, then the agent dialled with the team's number shown", () => {
    expect(bridgeCallTwiml("Hello.", AGENT, TEAM)).toBe(
      `${XML}<Response><Say>Hello.</Say><Dial callerId="${TEAM}" timeout="30"><Number>${AGENT}</Number></Dial></Response>`,
    );
    expect(bridgeCallTwiml("Hello.", AGENT, TEAM, { disclosure: true })).toBe(
      `${XML}<Response><Say>This call may be recorded.</Say><Say>Hello.</Say>` +
        `<Dial callerId="${TEAM}" timeout="30"><Number>${AGENT}</Number></Dial></Response>`,
    );
  });

  it("live call, the agent's prompt: a key within 8 s, and the action asked even when none is pressed", () => {
    expect(
      liveAgentPromptTwiml({ leadName: " Jane Doe ", acceptUrl: `${BASE}/twilio/voice/live-accept?call=7&ws=3` }),
    ).toBe(
      `${XML}<Response><Gather numDigits="1" timeout="8" action="${BASE}/twilio/voice/live-accept?call=7&amp;ws=3" ` +
        `method="POST" actionOnEmptyResult="true"><Say>Leadline call to Jane Doe. Press any key to connect.</Say></Gather></Response>`,
    );
    expect(said(liveAgentPromptTwiml({ leadName: "   ", acceptUrl: BASE }))).toEqual([
      "Leadline call to your lead. Press any key to connect.",
    ]);
  });

  it("live call without a public URL: the lead dialled at once, no callbacks", () => {
    expect(liveCallTwiml({ leadName: "Jane Doe", leadPhone: LEAD, callerId: TEAM })).toBe(
      `${XML}<Response><Say>Connecting you to Jane Doe.</Say><Dial callerId="${TEAM}" timeout="30"><Number>${LEAD}</Number></Dial></Response>`,
    );
  });

  it("live call once the agent pressed a key: the lead's leg reports back; recorded, the lead hears the disclosure first", () => {
    const input = { callId: 7, workspaceId: 3, leadName: "Jane Doe", to: LEAD, from: TEAM, publicBaseUrl: BASE };
    const q = "call=7&amp;ws=3";
    expect(liveConnectTwiml({ ...input, recording: false })).toBe(
      `${XML}<Response><Say>Connecting you to Jane Doe.</Say>` +
        `<Dial callerId="${TEAM}" timeout="30" action="${BASE}/twilio/voice/dial-done?${q}" method="POST">` +
        `<Number statusCallback="${BASE}/twilio/status/lead?${q}" statusCallbackEvent="initiated ringing answered completed" ` +
        `statusCallbackMethod="POST">${LEAD}</Number></Dial></Response>`,
    );
    expect(liveConnectTwiml({ ...input, recording: true })).toBe(
      `${XML}<Response><Say>Connecting you to Jane Doe.</Say>` +
        `<Dial callerId="${TEAM}" timeout="30" action="${BASE}/twilio/voice/dial-done?${q}" method="POST" ` +
        `record="record-from-answer-dual" recordingStatusCallback="${BASE}/twilio/recording?${q}" ` +
        `recordingStatusCallbackEvent="completed" recordingStatusCallbackMethod="POST">` +
        `<Number statusCallback="${BASE}/twilio/status/lead?${q}" statusCallbackEvent="initiated ringing answered completed" ` +
        `statusCallbackMethod="POST" url="${BASE}/twilio/voice/disclosure?${q}" method="POST">${LEAD}</Number></Dial></Response>`,
    );
  });

  it("the disclosure a recorded live call's lead hears", () => {
    expect(disclosureTwiml()).toBe(`${XML}<Response><Say>This call may be recorded.</Say></Response>`);
  });

  it("the end of a live call's Dial: how it ended when the lead did not pick up, else a plain hang-up", () => {
    expect(dialDoneTwiml("Jane Doe", "busy")).toBe(
      `${XML}<Response><Say>Jane Doe is busy. Goodbye.</Say><Hangup/></Response>`,
    );
    expect(dialDoneTwiml("Jane Doe", "no-answer")).toBe(
      `${XML}<Response><Say>Jane Doe did not answer. Goodbye.</Say><Hangup/></Response>`,
    );
    expect(dialDoneTwiml("Jane Doe", "failed")).toBe(
      `${XML}<Response><Say>The call to Jane Doe could not be connected. Goodbye.</Say><Hangup/></Response>`,
    );
    for (const status of ["completed", "answered", "canceled", ""])
      expect(dialDoneTwiml("Jane Doe", status)).toBe(`${XML}<Response><Hangup/></Response>`);
  });

  it("menu key 1 dials the agent; key 9 promises no more calls; one say-and-hang-up builder for every goodbye", () => {
    expect(connectToAgentTwiml(AGENT, TEAM)).toBe(
      `${XML}<Response><Say>Connecting you to your agent now.</Say><Dial callerId="${TEAM}" timeout="30"><Number>${AGENT}</Number></Dial></Response>`,
    );
    expect(sayAndHangUpTwiml(OPT_OUT_WORDS)).toBe(
      `${XML}<Response><Say>Thank you. You will not receive any more calls from us. Goodbye.</Say><Hangup/></Response>`,
    );
    expect(sayAndHangUpTwiml()).toBe(`${XML}<Response><Say>Thank you. Goodbye.</Say><Hangup/></Response>`);
    expect(sayAndHangUpTwiml("Goodbye.")).toBe(`${XML}<Response><Say>Goodbye.</Say><Hangup/></Response>`);
    expect(hangUpTwiml()).toBe(`${XML}<Response><Hangup/></Response>`);
  });

  it("browser call: the agent's browser leg dialled to the lead, no timeout of its own", () => {
    expect(browserCallTwiml(LEAD, TEAM)).toBe(
      `${XML}<Response><Dial callerId="${TEAM}"><Number>${LEAD}</Number></Dial></Response>`,
    );
  });
});

describe("inbound calls", () => {
  it("ring: the agent's phone for 20 s showing the caller, the whisper played to whoever picks up", () => {
    expect(
      inboundRingTwiml({
        agentNumber: AGENT,
        callerId: LEAD,
        whisperUrl: `${BASE}/twilio/inbound/whisper?ws=3&call=9`,
        dialDoneUrl: `${BASE}/twilio/inbound/dial-done?ws=3&call=9`,
      }),
    ).toBe(
      `${XML}<Response><Dial callerId="${LEAD}" timeout="20" action="${BASE}/twilio/inbound/dial-done?ws=3&amp;call=9" method="POST">` +
        `<Number url="${BASE}/twilio/inbound/whisper?ws=3&amp;call=9" method="POST">${AGENT}</Number></Dial></Response>`,
    );
  });

  it("whisper: who is calling and press 1, then a hang-up if nothing is pressed", () => {
    expect(inboundWhisperTwiml("Jane Doe", `${BASE}/accept`)).toBe(
      `${XML}<Response><Gather numDigits="1" timeout="6" action="${BASE}/accept" method="POST">` +
        "<Say>Call from Jane Doe. Press 1 to answer.</Say></Gather><Hangup/></Response>",
    );
  });

  it("accept: an empty answer connects; a refusal hangs up the agent's leg", () => {
    expect(inboundAcceptTwiml(true)).toBe(`${XML}<Response/>`);
    expect(inboundAcceptTwiml(false)).toBe(`${XML}<Response><Hangup/></Response>`);
  });

  it("voicemail: the apology, then a recorded, transcribed message of at most two minutes", () => {
    expect(
      inboundVoicemailTwiml({ recordingUrl: `${BASE}/r?a=1&b=2`, transcriptUrl: `${BASE}/t`, doneUrl: `${BASE}/done` }),
    ).toBe(
      `${XML}<Response><Say>Sorry, nobody could take your call right now. Please leave a message after the tone, and we will call you back.</Say>` +
        `<Record maxLength="120" playBeep="true" timeout="5" transcribe="true" transcribeCallback="${BASE}/t" ` +
        `recordingStatusCallback="${BASE}/r?a=1&amp;b=2" recordingStatusCallbackEvent="completed" ` +
        `recordingStatusCallbackMethod="POST" action="${BASE}/done" method="POST"/></Response>`,
    );
  });
});

describe("queue runs", () => {
  it("the agent's prompt: a key within 8 s starts the run, and the action is asked even when none is pressed", () => {
    const join = `${BASE}/twilio/queue/join?run=4&ws=3`;
    expect(queueAgentPromptTwiml({ queueName: " Miami buyers ", joinUrl: join })).toBe(
      `${XML}<Response><Gather numDigits="1" timeout="8" action="${BASE}/twilio/queue/join?run=4&amp;ws=3" ` +
        `method="POST" actionOnEmptyResult="true"><Say>Leadline queue Miami buyers. Press any key to start calling.</Say></Gather></Response>`,
    );
    expect(said(queueAgentPromptTwiml({ queueName: "   ", joinUrl: join }))).toEqual([
      "Leadline queue run. Press any key to start calling.",
    ]);
    // A queue's name is typed by an admin: read back as typed, no verb added.
    expect(said(queueAgentPromptTwiml({ queueName: HOSTILE, joinUrl: join }))).toEqual([
      `Leadline queue ${HOSTILE}. Press any key to start calling.`,
    ]);
    expect(verbs(queueAgentPromptTwiml({ queueName: HOSTILE, joinUrl: join }))).toEqual(["Gather", "Say"]);
  });

  it("the agent joins the run's conference: it starts and ends with them, no beep, no hold music; its events reported", () => {
    expect(
      queueJoinTwiml({ conference: "leadline-run-4", statusCallback: `${BASE}/twilio/queue/conference?run=4&ws=3` }),
    ).toBe(
      `${XML}<Response><Dial><Conference startConferenceOnEnter="true" endConferenceOnExit="true" beep="false" waitUrl="" ` +
        `statusCallback="${BASE}/twilio/queue/conference?run=4&amp;ws=3" statusCallbackEvent="start end join leave" ` +
        `statusCallbackMethod="POST">leadline-run-4</Conference></Dial></Response>`,
    );
    expect(queueJoinTwiml({ conference: "leadline-run-4" })).toBe(
      `${XML}<Response><Dial><Conference startConferenceOnEnter="true" endConferenceOnExit="true" beep="false" waitUrl="">leadline-run-4</Conference></Dial></Response>`,
    );
  });
});

describe("what a person typed", () => {
  it("is escaped in every builder that says it: Twilio reads back exactly the text, and no verb is added", () => {
    const cases: [string, string, string][] = [
      [simpleCallTwiml(HOSTILE), HOSTILE, "Say Pause Say"],
      [bridgeCallTwiml(HOSTILE, AGENT, TEAM), HOSTILE, "Say Dial Number"],
      [
        liveAgentPromptTwiml({ leadName: HOSTILE, acceptUrl: BASE }),
        `Leadline call to ${HOSTILE}. Press any key to connect.`,
        "Gather Say",
      ],
      [
        liveCallTwiml({ leadName: HOSTILE, leadPhone: LEAD, callerId: TEAM }),
        `Connecting you to ${HOSTILE}.`,
        "Say Dial Number",
      ],
      [dialDoneTwiml(HOSTILE, "busy"), `${HOSTILE} is busy. Goodbye.`, "Say Hangup"],
      [sayAndHangUpTwiml(HOSTILE), HOSTILE, "Say Hangup"],
      [inboundWhisperTwiml(HOSTILE, BASE), `Call from ${HOSTILE}. Press 1 to answer.`, "Gather Say Hangup"],
    ];
    for (const [xml, text, shape] of cases) {
      expect(xml).not.toContain("<Co>");
      expect(said(xml)).toContain(text);
      expect(verbs(xml).join(" ")).toBe(shape);
    }
    expect(sayAndHangUpTwiml(`a & b < c > d "e" 'f'`)).toBe(
      `${XML}<Response><Say>a &amp; b &lt; c &gt; d "e" 'f'</Say><Hangup/></Response>`,
    );
  });

  it("fills the team's message with the lead's names; unknown placeholders stay as typed", () => {
    const template = "Hi {{firstName}} {{ lastName }}, this is for {{name}} ({{NAME}}) {{unknown}}.";
    expect(fillMessage(template, { name: "  Jane Q Doe " })).toBe(
      "Hi Jane Doe, this is for Jane Q Doe (Jane Q Doe) {{unknown}}.",
    );
    expect(fillMessage("Hi {{firstName}}{{lastName}}!", { name: "Cher" })).toBe("Hi Cher!");
    // The filled message is escaped when said, like any other text.
    expect(said(simpleCallTwiml(fillMessage("Hi {{name}}", { name: "<Hangup/>" }))).at(0)).toBe("Hi <Hangup/>");
  });
});
