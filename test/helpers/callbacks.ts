import { readFileSync } from "node:fs";

type Params = Record<string, string>;

const load = (name: string): Params =>
  JSON.parse(readFileSync(new URL(`../reference/twilio/status_callbacks/${name}.json`, import.meta.url), "utf8"))
    .params;

/** Real (sanitised) Twilio callback bodies, re-addressed to one of our calls. */
export const reference = {
  initiated: load("initiated_seq0"),
  busy: load("busy_sip486_seq2"),
  completedHuman: load("completed_answeredby_human_seq3"),
};

export function forCall(
  base: Params,
  call: { sid: string; accountSid: string; to: string; from: string },
  overrides: Params = {},
): Params {
  return {
    ...base,
    CallSid: call.sid,
    AccountSid: call.accountSid,
    To: call.to,
    Called: call.to,
    From: call.from,
    Caller: call.from,
    ...overrides,
  };
}

/** initiated → ringing → in-progress → an ending, sequence numbers 0..3, as Twilio sends them. */
export function sequence(
  call: { sid: string; accountSid: string; to: string; from: string },
  ending: "completed" | "busy" | "no-answer" | "failed",
): Params[] {
  const initiated = forCall(reference.initiated, call);
  const ringing = forCall(reference.initiated, call, { CallStatus: "ringing", SequenceNumber: "1" });
  if (ending === "busy") return [initiated, ringing, forCall(reference.busy, call)];
  if (ending === "no-answer" || ending === "failed") {
    return [
      initiated,
      ringing,
      forCall(reference.busy, call, { CallStatus: ending, SipResponseCode: ending === "failed" ? "404" : "480" }),
    ];
  }
  const answered = forCall(reference.initiated, call, {
    CallStatus: "in-progress",
    SequenceNumber: "2",
    AnsweredBy: "human",
  });
  return [initiated, ringing, answered, forCall(reference.completedHuman, call)];
}
