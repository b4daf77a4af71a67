import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import twilio from "twilio";
import type { Logger } from "../../lib/log.js";
import { type Scenario, scenarioFor } from "./scenarios.js";
import { readTwiml, type TwimlNode } from "./twiml-reader.js";

type Json = Record<string, unknown>;

/** A simulated Twilio account: its credentials, numbers, API keys and TwiML Apps. */
export interface SimAccount {
  sid: string;
  authToken: string;
  numbers: Set<string>;
  apiKeys: Map<string, string>;
  apps: Map<string, { voiceUrl: string; statusCallback?: string }>;
}

export interface SimCall {
  sid: string;
  accountSid: string;
  to: string;
  from: string;
  direction: "outbound-api" | "inbound";
  status: string;
  answeredBy: string | null;
  created: Date;
  answeredAt?: number;
  endedAt?: Date;
  duration?: number;
  params: URLSearchParams;
  twiml: string;
  /** Bumped by a call update; the TwiML being played stops and the new one starts. */
  generation: number;
  sequence: number;
  /** What happened on the line, in words, for the console's Twilio panel. */
  transcript: string[];
}

export interface SimEvent {
  at: Date;
  callSid: string;
  text: string;
}

export interface TwilioSimulator {
  url: string;
  accounts: Map<string, SimAccount>;
  calls: Map<string, SimCall>;
  events: SimEvent[];
  onEvent(listener: (event: SimEvent) => void): void;
  addAccount(account: Partial<SimAccount> & { sid: string; authToken: string }): SimAccount;
  close(): Promise<void>;
}

export interface SimulatorOptions {
  log: Logger;
  /** 1 plays calls at about real speed; tests use a fraction. Reported durations stay realistic. */
  pace?: number;
  port?: number;
}

// Parameters Calls create accepts (Twilio's OpenAPI spec, api_v2010 CreateCall).
export const CREATE_PARAMS = new Set([
  "To",
  "From",
  "Method",
  "FallbackUrl",
  "FallbackMethod",
  "StatusCallback",
  "StatusCallbackEvent",
  "StatusCallbackMethod",
  "SendDigits",
  "Timeout",
  "Record",
  "RecordingChannels",
  "RecordingStatusCallback",
  "RecordingStatusCallbackMethod",
  "SipAuthUsername",
  "SipAuthPassword",
  "MachineDetection",
  "MachineDetectionTimeout",
  "RecordingStatusCallbackEvent",
  "Trim",
  "CallerId",
  "MachineDetectionSpeechThreshold",
  "MachineDetectionSpeechEndThreshold",
  "MachineDetectionSilenceTimeout",
  "AsyncAmd",
  "AsyncAmdStatusCallback",
  "AsyncAmdStatusCallbackMethod",
  "Byoc",
  "CallReason",
  "CallToken",
  "RecordingTrack",
  "TimeLimit",
  "ClientNotificationUrl",
  "Url",
  "Twiml",
  "ApplicationSid",
]);

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
const randomSid = (prefix: string) => `${prefix}${randomBytes(16).toString("hex")}`;
const rfc2822 = (date: Date) => date.toUTCString().replace("GMT", "+0000");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function restError(status: number, code: number, message: string): { status: number; body: Json } {
  return { status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } };
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
 * with the account's Auth Token exactly as Twilio signs them.
 */
export async function startTwilioSimulator(options: SimulatorOptions): Promise<TwilioSimulator> {
  const log = options.log.child({ component: "twilio-simulator" });
  const pace = options.pace ?? 1;
  const accounts = new Map<string, SimAccount>();
  const calls = new Map<string, SimCall>();
  const events: SimEvent[] = [];
  const listeners: ((event: SimEvent) => void)[] = [];
  let closed = false;

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
    const signature = twilio.getExpectedTwilioSignature(account.authToken, url, params);
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signature },
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
      RecordingUrl: `${simulator.url}/2010-04-01/Accounts/${call.accountSid}/Recordings/${recordingSid}`,
      RecordingStatus: "completed",
      RecordingDuration: String(call.duration ?? 0),
      RecordingChannels: "1",
      RecordingSource: "OutboundAPI",
      RecordingStartTime: rfc2822(new Date(call.answeredAt ?? Date.now())),
    }).catch((error: unknown) => log.warn({ err: error }, "recording callback was not accepted"));
  }

  /** The person at the other end of a <Dial>: an agent answers; a lead follows their scenario. */
  async function dial(call: SimCall, verb: TwimlNode, scenario: Scenario): Promise<boolean> {
    const target = verb.children.find((child) => child.name === "Number" || child.name === "Client");
    const number = target?.text.trim() || verb.text.trim();
    const callee = scenarioFor(number);
    note(call, `dialing ${number}`);
    if (!(await wait(call, 2_000))) return false;
    if (callee.outcome !== "human") {
      note(call, `${number}: ${callee.describe}`);
      return true;
    }
    note(call, `${number} answered; talking`);
    return wait(call, Math.max(callee.talkSec, scenario.talkSec) * 1_000);
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
        if (!(await dial(call, verb, scenario))) continue;
      } else if (verb.name === "Redirect") {
        call.twiml = await webhook(account, verb.text.trim(), callParams(call));
        call.generation += 1;
      } else if (verb.name === "Hangup" || verb.name === "Reject") {
        return;
      }
    }
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

  const callJson = (call: SimCall): Json => ({
    sid: call.sid,
    account_sid: call.accountSid,
    to: call.to,
    from: call.from,
    status: call.status,
    direction: call.direction,
    answered_by: call.answeredBy,
    duration: call.duration === undefined ? null : String(call.duration),
    price: call.endedAt && call.duration ? `-${(Math.ceil(call.duration / 60) * 0.014).toFixed(5)}` : null,
    price_unit: "USD",
    start_time: call.answeredAt ? rfc2822(new Date(call.answeredAt)) : null,
    end_time: call.endedAt ? rfc2822(call.endedAt) : null,
    date_created: rfc2822(call.created),
    date_updated: rfc2822(new Date()),
    api_version: "2010-04-01",
    uri: `/2010-04-01/Accounts/${call.accountSid}/Calls/${call.sid}.json`,
  });

  function createCall(account: SimAccount, params: URLSearchParams): { status: number; body: Json } {
    for (const key of params.keys()) {
      if (!CREATE_PARAMS.has(key)) return restError(400, 21205, `Unknown parameter ${key}`);
    }
    const to = params.get("To");
    const from = params.get("From");
    if (!to) return restError(400, 21201, "No 'To' number is specified");
    if (!from) return restError(400, 21213, "No 'From' number is specified");
    const twiml = params.get("Twiml");
    if (!twiml) return restError(400, 21205, "Url, Twiml or ApplicationSid is required (the simulator plays Twiml)");
    if (twiml.length > 4000) return restError(400, 21230, "Twiml exceeds 4000 characters");
    try {
      readTwiml(twiml);
    } catch (error) {
      return restError(400, 12100, `Document parse failure: ${(error as Error).message}`);
    }
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
    };
    calls.set(call.sid, call);
    note(call, `call created to ${to} (${scenarioFor(to).describe})`);
    void runOutbound(call).catch((error: unknown) => log.error({ err: error }, "simulated call failed"));
    return { status: 201, body: callJson(call) };
  }

  function rest(
    method: string,
    path: string,
    query: URLSearchParams,
    params: URLSearchParams,
    auth: { user: string; pass: string } | undefined,
  ): { status: number; body: Json | Buffer } {
    const match = /^\/2010-04-01\/Accounts\/([^/]+?)(?:\.json|\/(.+))$/.exec(path);
    if (!match) return restError(404, 20404, "The requested resource was not found");
    const [, sid, rest] = match as unknown as [string, string, string | undefined];
    const account = accounts.get(sid);
    if (!auth || !account || auth.user !== sid || auth.pass !== account.authToken)
      return restError(401, 20003, "Authenticate");
    if (!rest && method === "GET") {
      return {
        status: 200,
        body: {
          sid,
          friendly_name: "Leadline sandbox account",
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
            capabilities: { voice: true, sms: true, mms: false, fax: false },
          })),
          page: 0,
          page_size: 50,
          next_page_uri: null,
          uri: `/2010-04-01/Accounts/${sid}/IncomingPhoneNumbers.json`,
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
          (!after || call.created.getTime() >= new Date(after).getTime() - 86_400_000),
      );
      return {
        status: 200,
        body: { calls: list.map(callJson), page: 0, page_size: 50, next_page_uri: null, uri: path },
      };
    }
    const recording = /^Recordings\/(RE[0-9a-f]{32})(\.mp3|\.wav)?$/.exec(rest ?? "");
    if (recording && method === "GET") return { status: 200, body: silentMp3() };
    const callMatch = /^Calls\/(CA[0-9a-f]{32})\.json$/.exec(rest ?? "");
    const call = callMatch ? calls.get(callMatch[1]!) : undefined;
    if (callMatch && (!call || call.accountSid !== sid))
      return restError(404, 20404, "The requested resource was not found");
    if (call && method === "GET") return { status: 200, body: callJson(call) };
    if (call && method === "POST") {
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
        void finish(call, call.answeredAt ? "completed" : "canceled");
      }
      return { status: 200, body: callJson(call) };
    }
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

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    try {
      if (url.pathname.startsWith("/sandbox/voice/")) {
        // The softphone page is served by Leadline on another origin.
        const cors = { "access-control-allow-origin": "*", "access-control-allow-headers": "content-type" };
        if (req.method === "OPTIONS") return send(res, 204, {}, cors);
        const result = await voiceEdge(url.pathname, raw ? (JSON.parse(raw) as Json) : {});
        return send(res, result.status, result.body, cors);
      }
      const header = req.headers.authorization ?? "";
      const decoded = header.startsWith("Basic ") ? Buffer.from(header.slice(6), "base64").toString("utf8") : "";
      const colon = decoded.indexOf(":");
      const auth = colon > 0 ? { user: decoded.slice(0, colon), pass: decoded.slice(colon + 1) } : undefined;
      const result = rest(req.method ?? "GET", url.pathname, url.searchParams, new URLSearchParams(raw), auth);
      send(res, result.status, result.body);
    } catch (error) {
      log.error({ err: error, path: url.pathname }, "simulator request failed");
      send(res, 500, { code: 20500, message: "Internal Server Error", status: 500 });
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));

  const simulator: TwilioSimulator = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    accounts,
    calls,
    events,
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
    close: () =>
      new Promise<void>((resolve) => {
        closed = true;
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return simulator;
}

/** About a second of silent MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz): a simulated recording. */
function silentMp3(): Buffer {
  const frame = Buffer.alloc(417);
  frame.set([0xff, 0xfb, 0x90, 0x64]);
  return Buffer.concat(Array.from({ length: 38 }, () => frame));
}
