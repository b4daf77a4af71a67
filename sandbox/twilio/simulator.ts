import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createLogger, type Logger } from "../../src/lib/log.js";
import { type OutageOptions, serveLocally } from "../lib/server.js";
import { voiceEdge } from "./browser-edge.js";
import { endCallNow } from "./call-status.js";
import type { SimConference } from "./conferences/model.js";
import { createContext } from "./context.js";
import { type InboundCallInput, inbound } from "./inbound.js";
import {
  type CallFlow,
  FINAL,
  type Json,
  type SimAccount,
  type SimCall,
  type SimEvent,
  type TwilioFaults,
  type TwilioRequest,
} from "./model.js";
import { startPlaying } from "./outbound.js";
import { liveResource } from "./rest/calls.js";
import { handleRest } from "./rest/router.js";
import { ANSWERS, type AnswerName, type Scenario } from "./scenarios.js";

export type { SimConference, SimParticipant } from "./conferences/model.js";
export { type InboundCallInput, InboundRefused } from "./inbound.js";
export type { CallFlow, SimAccount, SimCall, SimEvent, TwilioFaults, TwilioRequest } from "./model.js";
export { DEFAULT_VOICEMAIL } from "./recordings.js";
export { CREATE_PARAMS, MAGIC_TO } from "./rest/call-rules.js";
export { randomSid, sidFrom } from "./rest-kit.js";
export { ANSWERS, type AnswerName, type Scenario } from "./scenarios.js";

/**
 * The simulated Twilio, put together: its state (context.ts), the REST API (rest/), the voice
 * network that plays calls (outbound.ts, inbound.ts, twiml-player.ts, dial.ts, recordings.ts) and
 * the browser edge (browser-edge.ts). README.md lists each resource and its documentation.
 */

export interface TwilioSimulator {
  url: string;
  accounts: Map<string, SimAccount>;
  calls: Map<string, SimCall>;
  /** Conferences by SID, ended ones included (Conferences list shows them too). */
  conferences: Map<string, SimConference>;
  events: SimEvent[];
  /** REST requests, oldest first, when `recordRequests` is on; may be emptied by the test. */
  requests: TwilioRequest[];
  faults: TwilioFaults;
  onEvent(listener: (event: SimEvent) => void): void;
  addAccount(account: Partial<SimAccount> & { sid: string; authToken: string }): SimAccount;
  /** The call as Twilio's REST API shows it, live: setting a field changes the call (a test playing Twilio). */
  resource(callSid: string): Json | undefined;
  /** Plays out a held call from `queued` (a Participants create leg rings, then joins its conference). */
  play(callSid: string): void;
  /**
   * The person on a live call hangs up: it ends (completed once answered, else canceled) with its
   * final status callback; in a conference it leaves with ReasonParticipantLeft participant_hung_up.
   */
  hangUp(callSid: string): void;
  /**
   * How the phone at `number` answers from now on, over its last-four-digits scenario: a name from
   * ANSWERS ("voicemail": a voicemail box that never presses a key; "presses-1"; "busy"…) or a
   * Scenario; undefined goes back to the number's scenario.
   */
  answerAs(number: string, answer: AnswerName | Scenario | undefined): void;
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

function send(
  res: ServerResponse,
  status: number,
  body: Json | Buffer | null,
  headers: Record<string, string> = {},
): void {
  if (body === null) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  if (Buffer.isBuffer(body)) {
    res.writeHead(status, { "content-type": "audio/mpeg", ...headers });
    res.end(body);
    return;
  }
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

/**
 * A stand-in for Twilio's REST API and voice network on 127.0.0.1: the account and number checks,
 * Calls create with Twilio's validation and error bodies, call fetch/list/update, recordings, and a
 * played-out lifecycle per call whose status, answering-machine, menu and voice webhooks are signed
 * with the account's Auth Token exactly as Twilio signs them. The sandbox and the tests both use it.
 */
export async function startTwilioSimulator(options: SimulatorOptions = {}): Promise<TwilioSimulator> {
  const ctx = createContext({
    log: (options.log ?? createLogger("silent")).child({ component: "twilio-simulator" }),
    pace: options.pace ?? 1,
    callFlow: options.callFlow ?? "play",
    faults: { delays: new Map(), dropNextCreates: 0, dropPlacesCall: true, failNext: new Map(), ...options.faults },
    recordRequests: options.recordRequests ?? false,
  });
  const resources = new WeakMap<SimCall, Json>();

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
        const result = await voiceEdge(ctx, url.pathname, raw ? (JSON.parse(raw) as Json) : {});
        return send(res, result.status, result.body, cors);
      }
      await handleRest(ctx, req, res, url, raw, send);
    } catch (error) {
      ctx.log.error({ err: error, path: url.pathname }, "simulator request failed");
      if (!res.headersSent) send(res, 500, { code: 20500, message: "Internal Server Error", status: 500 });
    }
  });
  const listening = await serveLocally(server, options.port);
  ctx.baseUrl = listening.url;

  return {
    url: ctx.baseUrl,
    accounts: ctx.accounts,
    calls: ctx.calls,
    conferences: ctx.conferences,
    events: ctx.events,
    requests: ctx.requests,
    faults: ctx.faults,
    onEvent: (listener) => void ctx.listeners.push(listener),
    addAccount(partial) {
      const account: SimAccount = { numbers: new Set(), apiKeys: new Map(), apps: new Map(), ...partial };
      ctx.accounts.set(account.sid, account);
      return account;
    },
    resource(callSid) {
      const call = ctx.calls.get(callSid);
      if (!call) return undefined;
      let resource = resources.get(call);
      if (!resource) {
        resource = liveResource(call);
        resources.set(call, resource);
      }
      return resource;
    },
    play(callSid) {
      const call = ctx.calls.get(callSid);
      if (!call) throw new Error(`no simulated call ${callSid}`);
      if (!call.held || call.status !== "queued") throw new Error(`call ${callSid} is not a queued, held call`);
      call.held = false;
      startPlaying(ctx, call);
    },
    hangUp(callSid) {
      const call = ctx.calls.get(callSid);
      if (!call) throw new Error(`no simulated call ${callSid}`);
      if (FINAL.has(call.status)) throw new Error(`call ${callSid} has already ended (${call.status})`);
      call.hungUp = true;
      ctx.note(call, "the person hangs up");
      endCallNow(ctx, call, "hung up");
    },
    answerAs(number, answer) {
      if (answer === undefined) ctx.answers.delete(number);
      else ctx.answers.set(number, typeof answer === "string" ? ANSWERS[answer] : answer);
    },
    inbound: (input) => inbound(ctx, input),
    unreachable: listening.unreachable,
    reachable: listening.reachable,
    close: () => {
      ctx.closed = true;
      return listening.close();
    },
  };
}
