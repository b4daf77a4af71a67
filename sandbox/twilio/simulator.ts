import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createLogger, type Logger } from "../../src/lib/log.js";
import { type OutageOptions, serveLocally } from "../lib/server.js";
import { type Scenario, scenarioFor } from "./scenarios.js";
import { twilioSignature } from "./signing.js";
import { readTwiml, type TwimlNode } from "./twiml-reader.js";

type Json = Record<string, unknown>;

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
  apiKeys: Map<string, string>;
  apps: Map<string, { voiceUrl: string; statusCallback?: string }>;
  /** Overrides the simulator's call flow for this account's calls. */
  callFlow?: CallFlow;
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
}

/** A call to one of the account's numbers, as a person dialing it from `from` makes one. */
export interface InboundCallInput {
  accountSid: string;
  from: string;
  /** One of the account's numbers: Twilio asks its Voice URL what to do with the call. */
  to: string;
  /**
   * How the phone the call's <Dial> rings answers: "scenario" (the default) follows that number's
   * scenario (scenarios.ts); "answers" picks up and presses 1 at a whisper; "no-answer" rings out.
   */
  agent?: "scenario" | "answers" | "no-answer";
  /** What the caller says if asked to leave a message (<Record>); Twilio's transcription returns it. */
  says?: string;
}

/** Why Twilio would never send a call to the app: the account, the number or its Voice URL. */
export class InboundRefused extends Error {
  constructor(
    readonly reason: "unknown-account" | "not-a-number" | "not-our-number" | "no-voice-url",
    message: string,
  ) {
    super(message);
    this.name = "InboundRefused";
  }
}

/** The message a caller leaves when the simulation is not told what they say. */
export const DEFAULT_VOICEMAIL = "Hi, I am returning your call about the house. Please call me back when you can.";

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
 * Fault injection, changeable while the simulator runs. Operation names: account, numbers,
 * createCall, listCalls, fetchCall, updateCall, recording, unknown.
 */
export interface TwilioFaults {
  /** Milliseconds to wait before answering, per operation name; "*" applies to every operation. */
  delays: Map<string, number>;
  /** Destroy the socket instead of answering (a network failure) for the next N Calls creates. */
  dropNextCreates: number;
  /** Whether a dropped create was still placed on Twilio's side (the ambiguous case). */
  dropPlacesCall: boolean;
  /**
   * Answer the next `count` Calls creates with `status` and Twilio's JSON error body (`code`, by
   * default 20500, or 20429 / 20503 for 429 / 503). With `placesCall` the call is placed first.
   */
  failNextCreates?: { status: number; code?: number; count: number; placesCall?: boolean };
}

export interface TwilioSimulator {
  url: string;
  accounts: Map<string, SimAccount>;
  calls: Map<string, SimCall>;
  events: SimEvent[];
  /** REST requests, oldest first, when `recordRequests` is on; may be emptied by the test. */
  requests: TwilioRequest[];
  faults: TwilioFaults;
  onEvent(listener: (event: SimEvent) => void): void;
  addAccount(account: Partial<SimAccount> & { sid: string; authToken: string }): SimAccount;
  /** The call as Twilio's REST API shows it, live: setting a field changes the call (a test playing Twilio). */
  resource(callSid: string): Json | undefined;
  /** Plays out a held call from `queued`. */
  play(callSid: string): void;
  /**
   * A person calls one of the account's numbers: an inbound call is created, the number's Voice URL
   * is asked for TwiML (signed with the account's Auth Token) and what it answers is played, <Dial>
   * with its whisper, <Record> with its recording and transcription callbacks included. Throws
   * InboundRefused when Twilio would not reach the app (no Voice URL set, a number not on the account).
   */
  inbound(input: InboundCallInput): SimCall;
  /** Connections are refused (or reset) until `reachable()` or for `forMs`. */
  unreachable(options?: OutageOptions): Promise<void>;
  reachable(): Promise<void>;
  close(): Promise<void>;
}

export interface SimulatorOptions {
  log?: Logger;
  /** 1 plays calls at about real speed; tests use a fraction. Reported durations stay realistic. */
  pace?: number;
  port?: number;
  /** "play" (the sandbox) or "hold" (integration tests); default "play". Accounts may override it. */
  callFlow?: CallFlow;
  /** Keep every REST request in `requests`. */
  recordRequests?: boolean;
  faults?: Partial<TwilioFaults>;
}

// Parameters Calls create accepts: Twilio's OpenAPI spec (api_v2010 CreateCall), read from the extract.
const callsCreateSpec = JSON.parse(
  readFileSync(new URL("../../test/reference/twilio/calls_create.json", import.meta.url), "utf8"),
) as { operation: { requestBody: { content: Record<string, { schema: { properties: Json } }> } } };
export const CREATE_PARAMS: ReadonlySet<string> = new Set(
  Object.keys(callsCreateSpec.operation.requestBody.content["application/x-www-form-urlencoded"]!.schema.properties),
);

// Twilio's test numbers and the errors they give (Twilio's "test credentials" magic numbers).
export const MAGIC_TO: Record<string, [number, string]> = {
  "+15005550001": [21217, "Phone number does not appear to be valid"],
  "+15005550002": [21214, "'To' phone number cannot be reached"],
  "+15005550003": [
    21215,
    "Account not authorized to call +15005550003. Perhaps you need to enable some international permissions",
  ],
  "+15005550004": [21216, "Call blocked by Twilio blocklist"],
};

const FINAL = new Set(["completed", "busy", "no-answer", "failed", "canceled"]);

export const sidFrom = (prefix: string, seed: string) =>
  `${prefix}${createHash("sha256").update(seed).digest("hex").slice(0, 32)}`;
export const randomSid = (prefix: string) => `${prefix}${randomBytes(16).toString("hex")}`;
const rfc2822 = (date: Date) => date.toUTCString().replace("GMT", "+0000");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function restError(status: number, code: number, message: string): { status: number; body: Json } {
  return { status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } };
}

const SERVER_ERRORS: Record<number, string> = {
  20429: "Too Many Requests",
  20500: "Internal Server Error",
  20503: "Service Unavailable",
};

function injectedError(status: number, code?: number): { status: number; body: Json } {
  const chosen = code ?? (status === 429 ? 20429 : status === 503 ? 20503 : 20500);
  return restError(status, chosen, SERVER_ERRORS[chosen] ?? "Injected failure");
}

/** The operation a REST request asks for; fault injection (delays) is keyed by it. */
function operationOf(method: string, rest: string | undefined): string {
  if (rest === undefined) return "account";
  if (rest.startsWith("IncomingPhoneNumbers")) return "numbers";
  if (rest === "Calls.json") return method === "POST" ? "createCall" : "listCalls";
  if (/^Calls\/[^/]+\.json$/.test(rest)) return method === "POST" ? "updateCall" : "fetchCall";
  if (rest.startsWith("Recordings/")) return "recording";
  return "unknown";
}

/** The call as Twilio's REST API returns it. */
function callJson(call: SimCall): Json {
  return {
    sid: call.sid,
    account_sid: call.accountSid,
    to: call.to,
    from: call.from,
    status: call.status,
    direction: call.direction,
    parent_call_sid: call.parentSid ?? null,
    answered_by: call.answeredBy,
    duration: call.duration === undefined ? null : String(call.duration),
    price:
      call.price !== undefined
        ? call.price
        : call.endedAt && call.duration
          ? `-${(Math.ceil(call.duration / 60) * 0.014).toFixed(5)}`
          : null,
    price_unit: "USD",
    start_time: call.answeredAt ? rfc2822(new Date(call.answeredAt)) : null,
    end_time: call.endedAt ? rfc2822(call.endedAt) : null,
    date_created: rfc2822(call.created),
    date_updated: rfc2822(new Date()),
    api_version: "2010-04-01",
    uri: `/2010-04-01/Accounts/${call.accountSid}/Calls/${call.sid}.json`,
    ...call.extra,
  };
}

/** Writes one REST field into the call: the fields the simulator models change the call itself. */
function setRestField(call: SimCall, key: string, value: unknown): void {
  if (key === "status") call.status = String(value);
  else if (key === "answered_by") call.answeredBy = value === null ? null : String(value);
  else if (key === "duration") call.duration = value === null || value === undefined ? undefined : Number(value);
  else if (key === "price") call.price = value === null || value === undefined ? null : String(value);
  else call.extra[key] = value;
}

function liveResource(call: SimCall): Json {
  return new Proxy({} as Json, {
    get: (_target, key) => (typeof key === "string" ? callJson(call)[key] : undefined),
    set: (_target, key, value) => {
      if (typeof key === "string") setRestField(call, key, value);
      return true;
    },
    has: (_target, key) => typeof key === "string" && key in callJson(call),
    ownKeys: () => Object.keys(callJson(call)),
    getOwnPropertyDescriptor: (_target, key) =>
      typeof key === "string" && key in callJson(call)
        ? { value: callJson(call)[key], enumerable: true, configurable: true, writable: true }
        : undefined,
  });
}

/** Verifies an access token minted with one of the account's API keys (HS256), as Twilio's edge does. */
function verifyAccessToken(
  token: string,
  accounts: Map<string, SimAccount>,
): { account: SimAccount; identity: string; appSid: string } {
  const [header, payload, signature] = token.split(".");
  if (!header || !payload || !signature) throw new Error("AccessToken is malformed (20101)");
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as {
    iss?: string;
    sub?: string;
    exp?: number;
    grants?: { identity?: string; voice?: { outgoing?: { application_sid?: string } } };
  };
  const account = accounts.get(claims.sub ?? "");
  const secret = account?.apiKeys.get(claims.iss ?? "");
  if (!account || !secret) throw new Error("AccessToken is invalid: unknown API key (20103)");
  const expected = createHmac("sha256", secret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new Error("AccessToken signature validation failed (20107)");
  if (!claims.exp || claims.exp * 1000 < Date.now()) throw new Error("AccessToken expired (20104)");
  const appSid = claims.grants?.voice?.outgoing?.application_sid ?? "";
  if (!account.apps.has(appSid)) throw new Error("The TwiML App in the token does not exist (21218)");
  return { account, identity: claims.grants?.identity ?? "", appSid };
}

/**
 * A stand-in for Twilio's REST API and voice network on 127.0.0.1: the account and number checks,
 * Calls create with Twilio's validation and error bodies, call fetch/list/update, recordings, and a
 * played-out lifecycle per call whose status, answering-machine, menu and voice webhooks are signed
 * with the account's Auth Token exactly as Twilio signs them. The sandbox and the tests both use it.
 */
export async function startTwilioSimulator(options: SimulatorOptions = {}): Promise<TwilioSimulator> {
  const log = (options.log ?? createLogger("silent")).child({ component: "twilio-simulator" });
  const pace = options.pace ?? 1;
  const callFlow = options.callFlow ?? "play";
  const accounts = new Map<string, SimAccount>();
  const calls = new Map<string, SimCall>();
  const events: SimEvent[] = [];
  const requests: TwilioRequest[] = [];
  const listeners: ((event: SimEvent) => void)[] = [];
  const faults: TwilioFaults = {
    delays: new Map(),
    dropNextCreates: 0,
    dropPlacesCall: true,
    ...options.faults,
  };
  const resources = new WeakMap<SimCall, Json>();
  let closed = false;
  let baseUrl = "";

  const note = (call: SimCall, text: string) => {
    call.transcript.push(text);
    const event = { at: new Date(), callSid: call.sid, text };
    events.push(event);
    if (events.length > 500) events.shift();
    for (const listener of listeners) listener(event);
  };

  /** Waits `simMs` of call time; false if the call's TwiML was replaced meanwhile or the simulator stopped. */
  const wait = async (call: SimCall, simMs: number, generation = call.generation): Promise<boolean> => {
    const until = Date.now() + simMs * pace;
    while (Date.now() < until) {
      if (closed || call.generation !== generation) return false;
      await sleep(Math.min(25, until - Date.now()));
    }
    return !closed && call.generation === generation;
  };

  const simSeconds = (call: SimCall) =>
    call.answeredAt === undefined ? 0 : Math.max(1, Math.round((Date.now() - call.answeredAt) / pace / 1000));

  async function webhook(account: SimAccount, url: string, params: Record<string, string>): Promise<string> {
    const res = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": twilioSignature(account.authToken, url, params),
      },
      body: new URLSearchParams(params).toString(),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${url} answered ${res.status}`);
    return text;
  }

  const callParams = (call: SimCall): Record<string, string> => ({
    AccountSid: call.accountSid,
    ApiVersion: "2010-04-01",
    CallSid: call.sid,
    CallStatus: call.status,
    Called: call.to,
    Caller: call.from,
    Direction: call.direction,
    From: call.from,
    To: call.to,
    ...(call.parentSid ? { ParentCallSid: call.parentSid } : {}),
  });

  /** Sends a status callback if the call asked for this event, as Twilio does. */
  async function statusCallback(call: SimCall, event: string, extra: Record<string, string> = {}) {
    const account = accounts.get(call.accountSid)!;
    const url = call.params.get("StatusCallback");
    if (!url) return;
    const wanted = call.params.getAll("StatusCallbackEvent");
    const isFinal = FINAL.has(call.status);
    if (!isFinal && !wanted.includes(event)) return;
    const params = {
      ...callParams(call),
      CallbackSource: "call-progress-events",
      SequenceNumber: String(call.sequence++),
      Timestamp: rfc2822(new Date()),
      ...extra,
    };
    try {
      await webhook(account, url, params);
    } catch (error) {
      log.warn({ err: error, callSid: call.sid, event }, "status callback was not accepted");
    }
  }

  async function setStatus(call: SimCall, status: string, extra: Record<string, string> = {}) {
    call.status = status;
    const event = status === "in-progress" ? "answered" : status;
    note(call, `status: ${status}`);
    await statusCallback(call, event, extra);
  }

  async function finish(call: SimCall, status: string, extra: Record<string, string> = {}) {
    if (FINAL.has(call.status)) return;
    call.endedAt = new Date();
    call.duration = status === "completed" ? simSeconds(call) : 0;
    const ending: Record<string, string> = { ...extra };
    if (status === "completed") {
      ending.CallDuration = String(call.duration);
      ending.Duration = String(Math.ceil(call.duration / 60));
    }
    if (call.answeredBy && call.params.get("MachineDetection")) ending.AnsweredBy = call.answeredBy;
    await setStatus(call, status, ending);
    if (status === "completed") await recordingCallback(call);
  }

  async function recordingCallback(call: SimCall) {
    const url = call.params.get("RecordingStatusCallback");
    if (call.params.get("Record") !== "true" || !url) return;
    const account = accounts.get(call.accountSid)!;
    const recordingSid = sidFrom("RE", call.sid);
    note(call, "recording completed");
    await webhook(account, url, {
      AccountSid: call.accountSid,
      CallSid: call.sid,
      RecordingSid: recordingSid,
      RecordingUrl: `${baseUrl}/2010-04-01/Accounts/${call.accountSid}/Recordings/${recordingSid}`,
      RecordingStatus: "completed",
      RecordingDuration: String(call.duration ?? 0),
      RecordingChannels: "1",
      RecordingSource: "OutboundAPI",
      RecordingStartTime: rfc2822(new Date(call.answeredAt ?? Date.now())),
    }).catch((error: unknown) => log.warn({ err: error }, "recording callback was not accepted"));
  }

  /**
   * A <Dial>: a child leg (its own SID, ParentCallSid = this call) rings the number and follows that
   * number's scenario, sending the <Number>'s status callbacks and playing its `url` TwiML to the callee
   * once answered, as Twilio does. Undefined when the parent's TwiML was replaced meanwhile.
   */
  async function dial(
    call: SimCall,
    verb: TwimlNode,
    scenario: Scenario,
  ): Promise<{ status: string; sid?: string; duration: number; bridged?: boolean } | undefined> {
    const target = verb.children.find((child) => child.name === "Number" || child.name === "Client");
    const number = target?.text.trim() || verb.text.trim();
    const callee = call.dialAnswer ?? scenarioFor(number);
    note(call, `dialing ${number}`);
    if (target?.name === "Client") {
      if (!(await wait(call, 2_000))) return undefined;
      return (await wait(call, scenario.talkSec * 1_000))
        ? { status: "completed", duration: scenario.talkSec }
        : undefined;
    }
    const attrs = target?.attrs ?? {};
    const params = new URLSearchParams();
    if (attrs.statusCallback) params.set("StatusCallback", attrs.statusCallback);
    for (const event of (attrs.statusCallbackEvent ?? "completed").split(/\s+/).filter(Boolean))
      params.append("StatusCallbackEvent", event);
    const leg: SimCall = {
      sid: randomSid("CA"),
      accountSid: call.accountSid,
      to: number,
      from: verb.attrs.callerId ?? call.from,
      direction: "outbound-dial",
      parentSid: call.sid,
      status: "queued",
      answeredBy: null,
      created: new Date(),
      params,
      twiml: "",
      generation: 0,
      sequence: 0,
      transcript: [],
      extra: {},
    };
    calls.set(leg.sid, leg);
    const generation = call.generation;
    const ended = async (status: string, sip?: string) => {
      await finish(leg, status, sip ? { SipResponseCode: sip } : {});
      return { status, sid: leg.sid, duration: leg.duration ?? 0 };
    };
    // A number Twilio cannot dial fails the leg at once: the parent hears the Dial end `failed`.
    const refusal = MAGIC_TO[number] ?? (/^\+[1-9]\d{6,14}$/.test(number) ? undefined : [21211, "Invalid 'To' number"]);
    if (refusal) {
      note(leg, `Twilio cannot dial ${number}: ${refusal[1]} (${refusal[0]})`);
      return ended("failed");
    }
    await setStatus(leg, "initiated");
    if (!(await wait(call, 1_000, generation))) return undefined;
    await setStatus(leg, "ringing");
    if (callee.outcome === "busy") {
      await wait(call, 2_000, generation);
      return ended("busy", "486");
    }
    if (callee.outcome === "failed") {
      await wait(call, 1_000, generation);
      return ended("failed", "404");
    }
    if (callee.outcome === "no-answer") {
      await wait(call, Math.min(Number(verb.attrs.timeout ?? 30), 8) * 1_000, generation);
      return ended("no-answer", "487");
    }
    if (!(await wait(call, 2_000, generation))) return ended("canceled");
    leg.answeredAt = Date.now();
    await setStatus(leg, "in-progress");
    if (attrs.url) {
      // The callee hears this document before the parties are connected (a recording notice, a whisper).
      const screened = await screen(call, leg, attrs.url, callee, generation);
      if (screened === "gone") {
        await ended("completed");
        return undefined;
      }
      if (screened === "declined") {
        // The caller only ever heard ringing: the Dial ends without a bridge.
        note(call, `${number} did not take the call`);
        return { ...(await ended("completed")), bridged: false };
      }
    }
    note(call, callee.outcome === "machine" ? `${number}: voicemail greeting plays` : `${number} answered; talking`);
    const talked = await wait(call, Math.max(callee.talkSec, scenario.talkSec) * 1_000, generation);
    const result = await ended("completed");
    if (verb.attrs.record?.startsWith("record-from") && verb.attrs.recordingStatusCallback) {
      // A <Dial record> recording belongs to the parent call: its callback names the parent's SID.
      const recordingSid = sidFrom("RE", leg.sid);
      note(call, "recording completed");
      await webhook(accounts.get(call.accountSid)!, verb.attrs.recordingStatusCallback, {
        AccountSid: call.accountSid,
        CallSid: call.sid,
        RecordingSid: recordingSid,
        RecordingUrl: `${baseUrl}/2010-04-01/Accounts/${call.accountSid}/Recordings/${recordingSid}`,
        RecordingStatus: "completed",
        RecordingDuration: String(result.duration),
        RecordingChannels: "2",
        RecordingSource: "DialVerb",
      }).catch((error: unknown) => log.warn({ err: error }, "recording callback was not accepted"));
    }
    return talked ? result : undefined;
  }

  /**
   * A <Number url> document, played to the callee before the parties are connected, as Twilio does:
   * a person answers its <Gather> with their scenario's key, else 1 (an agent taking a whispered call);
   * a machine presses nothing. A <Hangup> there declines the call; the end of the document connects it.
   * "gone": the parent's TwiML was replaced meanwhile.
   */
  async function screen(
    call: SimCall,
    leg: SimCall,
    url: string,
    callee: Scenario,
    generation: number,
  ): Promise<"connect" | "declined" | "gone"> {
    const account = accounts.get(call.accountSid)!;
    let verbs: TwimlNode[] = [];
    const fetchDocument = async (target: string, extra: Record<string, string> = {}) => {
      try {
        leg.twiml = await webhook(account, target, { ...callParams(leg), ...extra });
        verbs = readTwiml(leg.twiml).children;
        return true;
      } catch (error) {
        note(leg, `application error: ${(error as Error).message}`);
        return false;
      }
    };
    const heard = async (node: TwimlNode) => {
      if (node.name === "Say") {
        note(leg, `says: "${node.text.trim()}"`);
        return wait(call, 400 + node.text.split(/\s+/).length * 250, generation);
      }
      if (node.name === "Pause") return wait(call, Number(node.attrs.length ?? 1) * 1_000, generation);
      if (node.name === "Play") return wait(call, 3_000, generation);
      return true;
    };
    if (!(await fetchDocument(url))) return "declined";
    for (let index = 0; index < verbs.length; ) {
      const verb = verbs[index++]!;
      if (verb.name === "Hangup" || verb.name === "Reject") {
        note(leg, "hangs up before being connected");
        return "declined";
      }
      if (verb.name !== "Gather") {
        if (!(await heard(verb))) return "gone";
        continue;
      }
      for (const child of verb.children) if (!(await heard(child))) return "gone";
      const digits = callee.outcome === "human" ? (callee.presses ?? "1") : undefined;
      if (!digits) {
        if (!(await wait(call, Number(verb.attrs.timeout ?? 5) * 1_000, generation))) return "gone";
        continue;
      }
      note(leg, `presses ${digits}`);
      if (!verb.attrs.action) continue;
      if (!(await fetchDocument(verb.attrs.action, { Digits: digits }))) return "declined";
      index = 0;
    }
    return "connect";
  }

  /**
   * A <Record>: the beep, the caller speaking, then the silence that ends the recording. The action
   * is asked for what comes next at once; the recording and its transcription are ready a little
   * later, and their callbacks follow, as on Twilio. Undefined when the call's TwiML was replaced or
   * the Record has no action; "" when the action failed.
   */
  async function record(call: SimCall, verb: TwimlNode, generation: number): Promise<string | undefined> {
    const account = accounts.get(call.accountSid)!;
    const text = call.says?.trim() || DEFAULT_VOICEMAIL;
    const maxLength = Number(verb.attrs.maxLength ?? 3600);
    // About two and a half words a second, as people leave messages.
    const seconds = Math.min(maxLength, Math.max(2, Math.round(text.split(/\s+/).length / 2.5)));
    if (verb.attrs.playBeep !== "false") note(call, "beep: recording");
    note(call, `the caller speaks for ${seconds}s: "${text}"`);
    const startedAt = new Date();
    if (!(await wait(call, seconds * 1_000, generation))) return undefined;
    // Silence for `timeout` seconds ends the recording (trimmed from the audio, Twilio's default).
    const silence = Number(verb.attrs.timeout ?? 5);
    if (silence > 0 && !(await wait(call, silence * 1_000, generation))) return undefined;
    const recordingSid = randomSid("RE");
    const recording = {
      sid: recordingSid,
      url: `${baseUrl}/2010-04-01/Accounts/${call.accountSid}/Recordings/${recordingSid}`,
      seconds,
      startedAt,
      text,
    };
    note(call, `recorded ${seconds}s (${recordingSid})`);
    void afterRecording(call, verb, recording).catch((error: unknown) =>
      log.warn({ err: error }, "recording callbacks failed"),
    );
    const action = verb.attrs.action;
    if (!action) return undefined;
    return webhook(account, action, {
      ...callParams(call),
      RecordingSid: recording.sid,
      RecordingUrl: recording.url,
      RecordingDuration: String(seconds),
    }).catch((error: unknown) => {
      log.warn({ err: error }, "record action failed");
      return "";
    });
  }

  /** A <Record>'s recording status callback once the audio is stored, then its transcription's callback. */
  async function afterRecording(
    call: SimCall,
    verb: TwimlNode,
    recording: { sid: string; url: string; seconds: number; startedAt: Date; text: string },
  ): Promise<void> {
    const account = accounts.get(call.accountSid)!;
    const later = async (simMs: number) => {
      await sleep(simMs * pace);
      return !closed;
    };
    const events = (verb.attrs.recordingStatusCallbackEvent ?? "completed").split(/[\s,]+/);
    if (!(await later(1_000))) return;
    note(call, "recording completed");
    if (verb.attrs.recordingStatusCallback && events.includes("completed")) {
      await webhook(account, verb.attrs.recordingStatusCallback, {
        AccountSid: call.accountSid,
        CallSid: call.sid,
        RecordingSid: recording.sid,
        RecordingUrl: recording.url,
        RecordingStatus: "completed",
        RecordingDuration: String(recording.seconds),
        RecordingChannels: "1",
        RecordingSource: "RecordVerb",
        RecordingStartTime: rfc2822(recording.startedAt),
        ErrorCode: "0",
      }).catch((error: unknown) => log.warn({ err: error }, "recording callback was not accepted"));
    }
    const transcribeUrl = verb.attrs.transcribeCallback;
    if (verb.attrs.transcribe !== "true" && !transcribeUrl) return;
    // Twilio transcribes recordings of 2 to 120 seconds, some time after the call.
    if (!(await later(4_000))) return;
    const transcriptionSid = randomSid("TR");
    const transcribed = recording.seconds >= 2 && recording.seconds <= 120;
    note(call, transcribed ? `transcription completed: "${recording.text}"` : "transcription failed (length)");
    if (!transcribeUrl) return;
    await webhook(account, transcribeUrl, {
      ...callParams(call),
      TranscriptionSid: transcriptionSid,
      TranscriptionText: transcribed ? recording.text : "",
      TranscriptionStatus: transcribed ? "completed" : "failed",
      TranscriptionUrl: `${baseUrl}/2010-04-01/Accounts/${call.accountSid}/Transcriptions/${transcriptionSid}`,
      TranscriptionType: "fast",
      RecordingSid: recording.sid,
      RecordingUrl: recording.url,
    }).catch((error: unknown) => log.warn({ err: error }, "transcription callback was not accepted"));
  }

  /** Plays the call's TwiML verb by verb; a call update replaces it mid-way, as on Twilio. */
  async function play(call: SimCall, scenario: Scenario): Promise<void> {
    const account = accounts.get(call.accountSid)!;
    let generation = call.generation;
    let verbs = readTwiml(call.twiml).children;
    let index = 0;
    while (!closed && !FINAL.has(call.status)) {
      if (call.generation !== generation) {
        generation = call.generation;
        verbs = readTwiml(call.twiml).children;
        index = 0;
        note(call, "TwiML replaced by a call update");
      }
      const verb = verbs[index++];
      if (!verb) return;
      const spoken = async (node: TwimlNode) => {
        if (node.name === "Say") {
          note(call, `says: "${node.text.trim()}"`);
          return wait(call, 400 + node.text.split(/\s+/).length * 250, generation);
        }
        if (node.name === "Pause") return wait(call, Number(node.attrs.length ?? 1) * 1_000, generation);
        if (node.name === "Play") return wait(call, 3_000, generation);
        return true;
      };
      if (verb.name === "Say" || verb.name === "Pause" || verb.name === "Play") {
        await spoken(verb);
      } else if (verb.name === "Gather") {
        let heard = true;
        for (const child of verb.children) {
          heard = await spoken(child);
          if (!heard) break;
        }
        if (!heard) continue;
        if (!scenario.presses || call.answeredBy?.startsWith("machine")) {
          await wait(call, Number(verb.attrs.timeout ?? 5) * 1_000, generation);
          continue;
        }
        note(call, `presses ${scenario.presses}`);
        const action = verb.attrs.action;
        if (!action) continue;
        const twiml = await webhook(account, action, { ...callParams(call), Digits: scenario.presses }).catch(
          (error: unknown) => {
            log.warn({ err: error }, "menu action failed");
            return "";
          },
        );
        if (!twiml) return;
        verbs = readTwiml(twiml).children;
        index = 0;
      } else if (verb.name === "Dial") {
        const result = await dial(call, verb, scenario);
        if (!result) continue;
        const action = verb.attrs.action;
        if (!action) continue;
        // With an action, the call goes on with the TwiML the action returns; verbs after <Dial> never run.
        const twiml = await webhook(account, action, {
          ...callParams(call),
          DialCallStatus: result.status,
          ...(result.sid ? { DialCallSid: result.sid } : {}),
          DialCallDuration: String(result.duration),
          DialBridged: String(result.bridged ?? result.status === "completed"),
        }).catch((error: unknown) => {
          log.warn({ err: error }, "dial action failed");
          return "";
        });
        if (!twiml) return;
        verbs = readTwiml(twiml).children;
        index = 0;
      } else if (verb.name === "Record") {
        const twiml = await record(call, verb, generation);
        if (twiml === undefined) continue;
        if (!twiml) return;
        verbs = readTwiml(twiml).children;
        index = 0;
      } else if (verb.name === "Redirect") {
        call.twiml = await webhook(account, verb.text.trim(), callParams(call));
        call.generation += 1;
      } else if (verb.name === "Hangup" || verb.name === "Reject") {
        return;
      }
    }
  }

  /** A call created with a Url or an ApplicationSid asks that URL for its TwiML once answered. */
  async function fetchTwiml(call: SimCall): Promise<void> {
    if (call.twiml) return;
    const account = accounts.get(call.accountSid)!;
    const appSid = call.params.get("ApplicationSid");
    const url = call.params.get("Url") ?? (appSid ? account.apps.get(appSid)?.voiceUrl : undefined);
    if (!url) throw new Error("the call has no TwiML, Url or TwiML App");
    call.twiml = await webhook(account, url, callParams(call));
  }

  /** An outbound-api call, from queued to its end. */
  async function runOutbound(call: SimCall) {
    const scenario = scenarioFor(call.to);
    await setStatus(call, "initiated");
    if (!(await wait(call, 1_500))) return;
    await setStatus(call, "ringing");
    if (scenario.outcome === "busy") {
      await wait(call, 2_000);
      return finish(call, "busy", { SipResponseCode: "486" });
    }
    if (scenario.outcome === "failed") {
      await wait(call, 1_000);
      return finish(call, "failed", { SipResponseCode: "404" });
    }
    if (scenario.outcome === "no-answer") {
      await wait(call, Math.min(Number(call.params.get("Timeout") ?? 60), 8) * 1_000);
      return finish(call, "no-answer", { SipResponseCode: "487" });
    }
    if (!(await wait(call, 2_500))) return;
    call.answeredAt = Date.now();
    await setStatus(call, "in-progress");
    const machine = scenario.outcome === "machine";
    if (call.params.get("MachineDetection")) void detectMachine(call, machine);
    else call.answeredBy = null;
    try {
      await fetchTwiml(call);
      await play(call, scenario);
    } catch (error) {
      note(call, `application error: ${(error as Error).message}`);
    }
    await finish(call, "completed");
  }

  /** Async AMD: the result is posted while the TwiML already plays, once the greeting has ended. */
  async function detectMachine(call: SimCall, machine: boolean) {
    const detectedAfter = machine ? 4_000 : 2_000;
    await sleep(detectedAfter * pace);
    if (closed || FINAL.has(call.status)) return;
    call.answeredBy = machine ? "machine_end_beep" : "human";
    note(call, machine ? "answering machine detected (greeting ended, beep)" : "answered by a person");
    const url = call.params.get("AsyncAmdStatusCallback");
    if (!url || call.params.get("AsyncAmd") !== "true") return;
    await webhook(accounts.get(call.accountSid)!, url, {
      AccountSid: call.accountSid,
      CallSid: call.sid,
      AnsweredBy: call.answeredBy,
      MachineDetectionDuration: String(detectedAfter),
    }).catch((error: unknown) => log.warn({ err: error }, "AMD callback was not accepted"));
  }

  /** A browser (Voice SDK) call: Twilio asks the TwiML App's voice URL what to do, then plays it. */
  async function runBrowser(call: SimCall, account: SimAccount, appSid: string, custom: Record<string, string>) {
    const app = account.apps.get(appSid)!;
    try {
      call.twiml = await webhook(account, app.voiceUrl, {
        ...callParams(call),
        ApplicationSid: appSid,
        ...custom,
      });
      call.answeredAt = Date.now();
      call.status = "in-progress";
      note(call, "browser connected");
      await play(call, scenarioFor(call.to));
    } catch (error) {
      note(call, `application error: ${(error as Error).message}`);
    }
    if (FINAL.has(call.status)) return;
    call.endedAt = new Date();
    call.duration = simSeconds(call);
    call.status = "completed";
    note(call, "status: completed");
    // A TwiML App's status callback gets the end of the call, with its duration.
    if (app.statusCallback) {
      await webhook(account, app.statusCallback, {
        ...callParams(call),
        CallbackSource: "call-progress-events",
        SequenceNumber: String(call.sequence++),
        Timestamp: rfc2822(new Date()),
        CallDuration: String(call.duration),
        Duration: String(Math.ceil(call.duration / 60)),
      }).catch((error: unknown) => log.warn({ err: error }, "browser status callback was not accepted"));
    }
  }

  /** An inbound call: Twilio asks the number's Voice URL what to do while the caller hears ringing, then plays it. */
  async function runInbound(call: SimCall, account: SimAccount, voiceUrl: string) {
    try {
      call.twiml = await webhook(account, voiceUrl, callParams(call));
      readTwiml(call.twiml);
    } catch (error) {
      // The caller hears Twilio's "an application error has occurred" and the call ends.
      note(call, `application error: ${(error as Error).message}`);
      call.answeredAt = Date.now();
      return finish(call, "completed");
    }
    call.answeredAt = Date.now();
    await setStatus(call, "in-progress");
    try {
      // The caller's own number picks how long they talk and what they press at a menu.
      await play(call, scenarioFor(call.from));
    } catch (error) {
      note(call, `application error: ${(error as Error).message}`);
    }
    await finish(call, "completed");
  }

  function inbound(input: InboundCallInput): SimCall {
    const account = accounts.get(input.accountSid);
    if (!account) throw new InboundRefused("unknown-account", `No simulated Twilio account ${input.accountSid}.`);
    if (!/^\+[1-9]\d{6,14}$/.test(input.from))
      throw new InboundRefused("not-a-number", `${input.from} is not a phone number in E.164 form (+12015550142).`);
    if (!account.numbers.has(input.to))
      throw new InboundRefused("not-our-number", `${input.to} is not a number on this Twilio account.`);
    const voiceUrl = account.voiceUrls?.get(input.to);
    if (!voiceUrl)
      throw new InboundRefused(
        "no-voice-url",
        `${input.to} has no Voice URL: Twilio has nowhere to send a call to it (callers hear Twilio's default message).`,
      );
    const call: SimCall = {
      sid: randomSid("CA"),
      accountSid: account.sid,
      to: input.to,
      from: input.from,
      direction: "inbound",
      status: "ringing",
      answeredBy: null,
      created: new Date(),
      params: new URLSearchParams(),
      twiml: "",
      generation: 0,
      sequence: 0,
      transcript: [],
      extra: {},
      says: input.says,
      dialAnswer:
        input.agent === "answers"
          ? { outcome: "human", talkSec: 8, describe: "the agent answers and presses 1" }
          : input.agent === "no-answer"
            ? { outcome: "no-answer", talkSec: 0, describe: "nobody answers" }
            : undefined,
    };
    calls.set(call.sid, call);
    const agent = call.dialAnswer ? call.dialAnswer.describe : "each phone it rings follows its number's scenario";
    note(call, `inbound call from ${input.from} to ${input.to}, ringing while Twilio asks its Voice URL (${agent})`);
    void runInbound(call, account, voiceUrl).catch((error: unknown) =>
      log.error({ err: error }, "simulated inbound call failed"),
    );
    return call;
  }

  const startPlaying = (call: SimCall) =>
    void runOutbound(call).catch((error: unknown) => log.error({ err: error }, "simulated call failed"));

  /** Calls create: Twilio's validation and error codes, then the call (played out or held). */
  function createCall(account: SimAccount, params: URLSearchParams): { status: number; body: Json } {
    for (const key of params.keys()) {
      if (!CREATE_PARAMS.has(key)) return restError(400, 21205, `Unknown parameter ${key}`);
    }
    const to = params.get("To");
    const from = params.get("From");
    if (!to) return restError(400, 21201, "No 'To' number is specified");
    if (!from) return restError(400, 21213, "No 'From' number is specified");
    const twiml = params.get("Twiml") ?? "";
    const appSid = params.get("ApplicationSid");
    if (!twiml && !params.get("Url") && !appSid)
      return restError(400, 21205, "Url, Twiml or ApplicationSid is required");
    if (twiml.length > 4000) return restError(400, 21230, "Twiml exceeds 4000 characters");
    if (twiml) {
      try {
        readTwiml(twiml);
      } catch (error) {
        return restError(400, 12100, `Document parse failure: ${(error as Error).message}`);
      }
    }
    if (appSid && !account.apps.has(appSid)) return restError(400, 21218, "Invalid ApplicationSid");
    if (!account.numbers.has(from))
      return restError(400, 21210, `The source phone number provided, ${from}, is not yet verified for your account.`);
    const magic = MAGIC_TO[to];
    if (magic) return restError(400, magic[0], magic[1]);
    if (!/^\+[1-9]\d{6,14}$/.test(to))
      return restError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    const call: SimCall = {
      sid: randomSid("CA"),
      accountSid: account.sid,
      to,
      from,
      direction: "outbound-api",
      status: "queued",
      answeredBy: null,
      created: new Date(),
      params,
      twiml,
      generation: 0,
      sequence: 0,
      transcript: [],
      extra: {},
    };
    call.held = (account.callFlow ?? callFlow) === "hold";
    calls.set(call.sid, call);
    note(call, `call created to ${to} (${call.held ? "held: it plays out when asked" : scenarioFor(to).describe})`);
    // Twilio answers a create with the call still `queued`; the call moves on only after the answer.
    const body = callJson(call);
    if (!call.held) startPlaying(call);
    return { status: 201, body };
  }

  function updateCall(call: SimCall, params: URLSearchParams): { status: number; body: Json } {
    if (FINAL.has(call.status)) return restError(400, 21220, "Call is not in-progress. Cannot redirect.");
    const twiml = params.get("Twiml");
    if (twiml) {
      try {
        readTwiml(twiml);
      } catch (error) {
        return restError(400, 12100, `Document parse failure: ${(error as Error).message}`);
      }
      call.twiml = twiml;
      call.generation += 1;
    }
    const status = params.get("Status");
    if (status === "completed" || status === "canceled") {
      call.generation += 1;
      const ending = call.answeredAt ? "completed" : "canceled";
      // A held call only changes state; a playing one ends with its final callback, as on Twilio.
      if (call.held) {
        call.status = ending;
        call.endedAt = new Date();
        note(call, `status: ${ending} (call update)`);
      } else {
        void finish(call, ending);
      }
    }
    return { status: 200, body: callJson(call) };
  }

  function rest(
    method: string,
    path: string,
    query: URLSearchParams,
    params: URLSearchParams,
    account: SimAccount,
  ): { status: number; body: Json | Buffer } {
    const sid = account.sid;
    const rest = /^\/2010-04-01\/Accounts\/[^/]+?(?:\.json|\/(.+))$/.exec(path)?.[1];
    if (!rest && method === "GET") {
      return {
        status: 200,
        body: {
          sid,
          friendly_name: "Leadline simulated account",
          status: "active",
          type: "Full",
          date_created: rfc2822(new Date(0)),
        },
      };
    }
    if (rest === "IncomingPhoneNumbers.json" && method === "GET") {
      const wanted = query.get("PhoneNumber");
      const list = [...account.numbers].filter((number) => !wanted || number === wanted);
      return {
        status: 200,
        body: {
          incoming_phone_numbers: list.map((number) => ({
            sid: sidFrom("PN", number),
            phone_number: number,
            account_sid: sid,
            voice_url: account.voiceUrls?.get(number) ?? null,
            voice_method: "POST",
            capabilities: { voice: true, sms: true, mms: false, fax: false },
          })),
          page: 0,
          page_size: 50,
          next_page_uri: null,
          uri: `/2010-04-01/Accounts/${sid}/IncomingPhoneNumbers.json`,
        },
      };
    }
    const numberMatch = /^IncomingPhoneNumbers\/(PN[0-9a-f]{32})\.json$/.exec(rest ?? "");
    if (numberMatch) {
      const number = [...account.numbers].find((n) => sidFrom("PN", n) === numberMatch[1]);
      if (!number) return restError(404, 20404, "The requested resource was not found");
      if (method === "POST") {
        const voiceUrl = params.get("VoiceUrl");
        if (voiceUrl !== null) {
          if (voiceUrl && !/^https?:\/\//.test(voiceUrl)) return restError(400, 21502, "VoiceUrl is not valid");
          account.voiceUrls ??= new Map();
          account.voiceUrls.set(number, voiceUrl);
        }
      }
      return {
        status: 200,
        body: {
          sid: numberMatch[1],
          phone_number: number,
          account_sid: sid,
          voice_url: account.voiceUrls?.get(number) ?? null,
          voice_method: "POST",
          capabilities: { voice: true, sms: true, mms: false, fax: false },
        },
      };
    }
    if (rest === "Calls.json" && method === "POST") return createCall(account, params);
    if (rest === "Calls.json" && method === "GET") {
      const after = query.get("StartTime>");
      const list = [...calls.values()].filter(
        (call) =>
          call.accountSid === sid &&
          (!query.get("To") || call.to === query.get("To")) &&
          (!query.get("From") || call.from === query.get("From")) &&
          (!query.get("ParentCallSid") || call.parentSid === query.get("ParentCallSid")) &&
          (!after || call.created.getTime() >= new Date(after).getTime() - 86_400_000),
      );
      // Newest first, a page at a time, as Twilio lists calls.
      list.sort((a, b) => b.created.getTime() - a.created.getTime());
      const pageSize = Math.min(1000, Math.max(1, Number(query.get("PageSize") ?? 50) || 50));
      const page = Math.max(0, Number(query.get("Page") ?? 0) || 0);
      const slice = list.slice(page * pageSize, (page + 1) * pageSize);
      const more = (page + 1) * pageSize < list.length;
      const next = new URLSearchParams(query);
      next.set("Page", String(page + 1));
      next.set("PageSize", String(pageSize));
      return {
        status: 200,
        body: {
          calls: slice.map(callJson),
          page,
          page_size: pageSize,
          next_page_uri: more ? `${path}?${next}` : null,
          uri: path,
        },
      };
    }
    const recording = /^Recordings\/(RE[0-9a-f]{32})(\.mp3|\.wav)?$/.exec(rest ?? "");
    if (recording && method === "GET") return { status: 200, body: simulatedRecording(recording[1]!) };
    const callMatch = /^Calls\/(CA[0-9a-f]{32})\.json$/.exec(rest ?? "");
    const call = callMatch ? calls.get(callMatch[1]!) : undefined;
    if (callMatch && (!call || call.accountSid !== sid))
      return restError(404, 20404, "The requested resource was not found");
    if (call && method === "GET") return { status: 200, body: callJson(call) };
    if (call && method === "POST") return updateCall(call, params);
    return restError(404, 20404, "The requested resource was not found");
  }

  /** The browser edge: a Voice SDK stand-in on the softphone page connects and hangs up here. */
  async function voiceEdge(path: string, body: Json): Promise<{ status: number; body: Json }> {
    if (path === "/sandbox/voice/connect") {
      let verified: ReturnType<typeof verifyAccessToken>;
      try {
        verified = verifyAccessToken(String(body.token ?? ""), accounts);
      } catch (error) {
        return { status: 401, body: { message: (error as Error).message } };
      }
      const custom = Object.fromEntries(
        Object.entries((body.params as Record<string, unknown> | undefined) ?? {}).map(([k, v]) => [k, String(v)]),
      );
      const call: SimCall = {
        sid: randomSid("CA"),
        accountSid: verified.account.sid,
        to: "",
        from: `client:${verified.identity}`,
        direction: "inbound",
        status: "ringing",
        answeredBy: null,
        created: new Date(),
        params: new URLSearchParams(),
        twiml: "<Response/>",
        generation: 0,
        sequence: 0,
        transcript: [],
        extra: {},
      };
      calls.set(call.sid, call);
      note(call, `browser call from ${call.from}`);
      void runBrowser(call, verified.account, verified.appSid, custom);
      return { status: 200, body: { callSid: call.sid } };
    }
    const match = /^\/sandbox\/voice\/calls\/(CA[0-9a-f]{32})(\/hangup)?$/.exec(path);
    const call = match ? calls.get(match[1]!) : undefined;
    if (!call) return { status: 404, body: { message: "no such call" } };
    if (match?.[2]) {
      call.generation += 1;
      note(call, "the agent hung up in the browser");
    }
    return { status: 200, body: { status: call.status, transcript: call.transcript } };
  }

  const send = (res: ServerResponse, status: number, body: Json | Buffer, headers: Record<string, string> = {}) => {
    if (Buffer.isBuffer(body)) {
      res.writeHead(status, { "content-type": "audio/mpeg", ...headers });
      res.end(body);
      return;
    }
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };

  /** A REST request: authentication, injected faults, the operation, then any injected delay. */
  async function handleRest(req: IncomingMessage, res: ServerResponse, url: URL, raw: string): Promise<void> {
    const method = req.method ?? "GET";
    const params = new URLSearchParams(raw);
    const header = req.headers.authorization ?? "";
    const decoded = header.startsWith("Basic ") ? Buffer.from(header.slice(6), "base64").toString("utf8") : "";
    const colon = decoded.indexOf(":");
    const auth = colon > 0 ? { user: decoded.slice(0, colon), pass: decoded.slice(colon + 1) } : undefined;
    if (options.recordRequests) {
      requests.push({
        method,
        path: url.pathname,
        query: url.searchParams,
        params,
        accountSid: auth?.user,
        at: Date.now(),
      });
    }
    const match = /^\/2010-04-01\/Accounts\/([^/]+?)(?:\.json|\/(.+))$/.exec(url.pathname);
    const operation = match ? operationOf(method, match[2]) : "unknown";
    const delay = () => {
      const ms = faults.delays.get(operation) ?? faults.delays.get("*") ?? 0;
      return ms > 0 ? sleep(ms) : Promise.resolve();
    };
    const account = match ? accounts.get(match[1]!) : undefined;
    let result: { status: number; body: Json | Buffer };
    if (!match) {
      result = restError(404, 20404, "The requested resource was not found");
    } else if (!auth || !account || auth.user !== account.sid || auth.pass !== account.authToken) {
      result = restError(401, 20003, "Authenticate");
    } else if (operation === "createCall" && faults.dropNextCreates > 0) {
      faults.dropNextCreates -= 1;
      // Twilio got the request (and maybe placed the call), but the answer never arrives.
      if (faults.dropPlacesCall) createCall(account, params);
      await delay();
      req.socket.destroy();
      return;
    } else if (operation === "createCall" && faults.failNextCreates && faults.failNextCreates.count > 0) {
      const failure = faults.failNextCreates;
      failure.count -= 1;
      if (failure.count <= 0) faults.failNextCreates = undefined;
      if (failure.placesCall) createCall(account, params);
      result = injectedError(failure.status, failure.code);
    } else {
      result = rest(method, url.pathname, url.searchParams, params, account);
    }
    await delay();
    send(res, result.status, result.body);
  }

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const raw = Buffer.concat(chunks).toString("utf8");
      if (url.pathname.startsWith("/sandbox/voice/")) {
        // The softphone page is served by Leadline on another origin.
        const cors = { "access-control-allow-origin": "*", "access-control-allow-headers": "content-type" };
        if (req.method === "OPTIONS") return send(res, 204, {}, cors);
        const result = await voiceEdge(url.pathname, raw ? (JSON.parse(raw) as Json) : {});
        return send(res, result.status, result.body, cors);
      }
      await handleRest(req, res, url, raw);
    } catch (error) {
      log.error({ err: error, path: url.pathname }, "simulator request failed");
      if (!res.headersSent) send(res, 500, { code: 20500, message: "Internal Server Error", status: 500 });
    }
  });
  const listening = await serveLocally(server, options.port);
  baseUrl = listening.url;

  const simulator: TwilioSimulator = {
    url: baseUrl,
    accounts,
    calls,
    events,
    requests,
    faults,
    onEvent: (listener) => void listeners.push(listener),
    addAccount(partial) {
      const account: SimAccount = {
        numbers: new Set(),
        apiKeys: new Map(),
        apps: new Map(),
        ...partial,
      };
      accounts.set(account.sid, account);
      return account;
    },
    resource(callSid) {
      const call = calls.get(callSid);
      if (!call) return undefined;
      let resource = resources.get(call);
      if (!resource) {
        resource = liveResource(call);
        resources.set(call, resource);
      }
      return resource;
    },
    play(callSid) {
      const call = calls.get(callSid);
      if (!call) throw new Error(`no simulated call ${callSid}`);
      if (!call.held || call.status !== "queued") throw new Error(`call ${callSid} is not a queued, held call`);
      call.held = false;
      startPlaying(call);
    },
    inbound,
    unreachable: listening.unreachable,
    reachable: listening.reachable,
    close: () => {
      closed = true;
      return listening.close();
    },
  };
  return simulator;
}

/**
 * A simulated recording: an ID3 tag naming the recording, then about a second of silent MPEG-1
 * Layer III frames (128 kbit/s, 44.1 kHz).
 */
function simulatedRecording(recordingSid: string): Buffer {
  const title = Buffer.from(`\u0000Leadline simulated recording ${recordingSid}`, "latin1");
  const frameHeader = Buffer.alloc(10);
  frameHeader.write("TIT2", 0, "latin1");
  frameHeader.writeUInt32BE(title.length, 4);
  const tagBody = Buffer.concat([frameHeader, title]);
  const size = tagBody.length;
  // ID3v2.3 header; the tag size is "syncsafe": 7 bits per byte.
  const tagHeader = Buffer.from([
    0x49,
    0x44,
    0x33,
    3,
    0,
    0,
    (size >> 21) & 0x7f,
    (size >> 14) & 0x7f,
    (size >> 7) & 0x7f,
    size & 0x7f,
  ]);
  const frame = Buffer.alloc(417);
  frame.set([0xff, 0xfb, 0x90, 0x64]);
  return Buffer.concat([tagHeader, tagBody, ...Array.from({ length: 38 }, () => frame)]);
}
