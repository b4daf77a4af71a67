import type { Scenario } from "./scenarios.js";

/** The data the simulated Twilio keeps: accounts, calls, the event log, recorded requests, faults. */

export type Json = Record<string, unknown>;

/**
 * What happens to a call once Calls create accepted it. "play": the simulator plays it out (ringing,
 * answer, TwiML, hang-up) and sends the signed webhooks the call asked for, as Twilio does.
 * "hold": it stays `queued` and nothing is sent until `play(sid)`; tests drive the webhooks themselves.
 */
export type CallFlow = "play" | "hold";

/** A simulated Twilio account: its credentials, numbers, API keys and TwiML Apps. */
export interface SimAccount {
  sid: string;
  authToken: string;
  numbers: Set<string>;
  /** Each number's Voice URL (IncomingPhoneNumbers update): where a call to it is sent. */
  voiceUrls?: Map<string, string>;
  /** Each number's other IncomingPhoneNumber fields (numbers.ts), made on first use. */
  numberSettings?: Map<string, NumberSettings>;
  apiKeys: Map<string, string>;
  apps: Map<string, { voiceUrl: string; statusCallback?: string }>;
  /** Overrides the simulator's call flow for this account's calls. */
  callFlow?: CallFlow;
  /**
   * Twilio's own opt-out handling (STOP filtering): on unless Twilio Support turned it off for the account
   * (https://www.twilio.com/docs/api/errors/23002). Off: no opt-out list, no keyword replies, no OptOutType.
   */
  stopFiltering?: boolean;
}

/** An IncomingPhoneNumber's fields besides its number and Voice URL (numbers.ts gives the defaults). */
export interface NumberSettings {
  friendlyName: string;
  capabilities: { voice: boolean; sms: boolean; mms: boolean; fax: boolean };
  /** The number's other URL and method fields, by their REST parameter name (VoiceMethod, SmsUrl, …). */
  fields: Record<string, string>;
  created: Date;
  updated: Date;
}

export interface SimCall {
  sid: string;
  accountSid: string;
  to: string;
  from: string;
  direction: "outbound-api" | "outbound-dial" | "inbound";
  /** A <Dial>'s leg: the call that dialed it. */
  parentSid?: string;
  status: string;
  answeredBy: string | null;
  created: Date;
  answeredAt?: number;
  endedAt?: Date;
  duration?: number;
  /** Set by hand (Twilio prices a call a little after it ends); otherwise derived from the duration. */
  price?: string | null;
  params: URLSearchParams;
  /** The TwiML being played; empty until fetched from the call's Url or TwiML App. */
  twiml: string;
  /** Where the TwiML being played came from: a <Gather> without an action posts back to it, as on Twilio. */
  documentUrl?: string;
  /** Bumped by a call update; the TwiML being played stops and the new one starts. */
  generation: number;
  sequence: number;
  /** What happened on the line, in words, for the console's Twilio panel. */
  transcript: string[];
  /** REST fields set by hand that the simulator does not model; shown over the computed ones. */
  extra: Json;
  /** Created under the "hold" flow and not played yet: only REST requests and tests change it. */
  held?: boolean;
  /** How the phones this call's <Dial> rings answer, over their numbers' scenarios (an inbound call's choice). */
  dialAnswer?: Scenario;
  /** What the caller says when a <Record> listens: the voicemail Twilio's transcription returns. */
  says?: string;
  /** A leg created by Conferences/{sid}/Participants: once answered it joins this conference, no TwiML. */
  conferenceSid?: string;
  /** The person on the line hung up (`hangUp`), as opposed to the call being ended through the API. */
  hungUp?: boolean;
}

export interface SimEvent {
  at: Date;
  callSid: string;
  text: string;
}

/** A REST request as it reached the simulator (recorded when `recordRequests` is on). */
export interface TwilioRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  params: URLSearchParams;
  accountSid?: string;
  at: number;
}

/**
 * Fault injection, changeable while the simulator runs. Operation names: each REST route's
 * `operation` (README.md lists them: account, numbers, createCall, listCalls, fetchCall,
 * updateCall, recording, createParticipant, …), and unknown.
 */
export interface TwilioFaults {
  /** Milliseconds to wait before answering, per operation name; "*" applies to every operation. */
  delays: Map<string, number>;
  /**
   * Answer only once the promise settles, per operation name (after any delay): a Twilio that takes
   * exactly as long as a test wants, without a wall-clock wait.
   */
  holds?: Map<string, Promise<unknown>>;
  /** Destroy the socket instead of answering (a network failure) for the next N Calls creates. */
  dropNextCreates: number;
  /** Whether a dropped create was still placed on Twilio's side (the ambiguous case). */
  dropPlacesCall: boolean;
  /**
   * Answer the next `count` Calls creates with `status` and Twilio's JSON error body (`code`, by
   * default 20500, or 20429 / 20503 for 429 / 503). With `placesCall` the call is placed first.
   */
  failNextCreates?: { status: number; code?: number; count: number; placesCall?: boolean };
  /**
   * Answer the next `count` requests of an operation (createParticipant, updateConference, numbers…)
   * with `status` and Twilio's JSON error body (`code`, `message`), without doing the operation.
   */
  failNext: Map<string, { status: number; code: number; message?: string; count: number; performs?: boolean }>;
  /**
   * Destroy the socket instead of answering for the next `count` requests of an operation other than
   * createCall (createMessage…); with `performs` the operation is done first (the ambiguous case).
   */
  dropNext?: Map<string, { count: number; performs: boolean }>;
  /**
   * Webhooks to lose: one whose URL this returns true for is never delivered (the app behind it was down,
   * or a network between lost it). Twilio does not retry a status callback; the app must ask the REST API.
   */
  loseWebhooks?: (url: string) => boolean;
}

/** Statuses after which a call never changes again. */
export const FINAL: ReadonlySet<string> = new Set(["completed", "busy", "no-answer", "failed", "canceled"]);

/** A new call with nothing played yet; `fields` says who calls whom and how. */
export function newCall(
  fields: Pick<SimCall, "sid" | "accountSid" | "to" | "from" | "direction" | "status"> & Partial<SimCall>,
): SimCall {
  return {
    answeredBy: null,
    created: new Date(),
    params: new URLSearchParams(),
    twiml: "",
    generation: 0,
    sequence: 0,
    transcript: [],
    extra: {},
    ...fields,
  };
}
