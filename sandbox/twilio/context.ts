import type { Logger } from "../../src/lib/log.js";
import type { SimConference } from "./conferences/room.js";
import { createIntelligenceState, type IntelligenceState } from "./intelligence.js";
import type { SimMessage, SimMessagingService } from "./messaging/model.js";
import type { TextOutcome } from "./messaging/texting.js";
import type { CallFlow, SimAccount, SimCall, SimEvent, TwilioFaults, TwilioRequest } from "./model.js";
import { sleep } from "./rest-kit.js";
import { type Scenario, scenarioFor } from "./scenarios.js";
import type { SimTrustBundle } from "./trust-hub.js";
import { sendWebhook } from "./webhooks.js";

/**
 * What every part of the simulated Twilio shares: its state, the event log, call time (`pace`)
 * and the signed webhook sender. One per simulator; each resource module takes it as its first
 * argument instead of closing over a thousand-line function.
 */
export interface SimContext {
  readonly log: Logger;
  /** 1 plays calls at about real speed; tests use a fraction. Reported durations stay realistic. */
  readonly pace: number;
  readonly callFlow: CallFlow;
  readonly accounts: Map<string, SimAccount>;
  readonly calls: Map<string, SimCall>;
  readonly conferences: Map<string, SimConference>;
  /** Trust Hub Customer Profiles and Trust Products by SID (trust-hub.ts). */
  readonly trustBundles: Map<string, SimTrustBundle>;
  /** Voice Intelligence: services, transcripts and the recordings they can be made from (intelligence.ts). */
  readonly intelligence: IntelligenceState;
  /** How a number answers, over its last-four-digits scenario (`answerAs`). */
  readonly answers: Map<string, Scenario>;
  /** Texts (Messages), Messaging Services and each account's opt-out list (messaging/). */
  readonly messages: Map<string, SimMessage>;
  readonly messagingServices: Map<string, SimMessagingService>;
  readonly textOutcomes: Map<string, TextOutcome>;
  /** Accepted texts stay as created until `deliverText` (tests); else they play out. */
  holdTexts: boolean;
  optOutsOf(accountSid: string): Set<string>;
  /** A text's line in the event log (its SID in place of a call's). */
  noteText(message: SimMessage, text: string): void;
  readonly events: SimEvent[];
  readonly listeners: ((event: SimEvent) => void)[];
  readonly faults: TwilioFaults;
  readonly requests: TwilioRequest[];
  readonly recordRequests: boolean;
  closed: boolean;
  /** Where the simulator listens: recording URLs point here. */
  baseUrl: string;
  /** Writes what happened on the line to the call's transcript and the event log. */
  note(call: SimCall, text: string): void;
  /** Waits `simMs` of call time; false if the call's TwiML was replaced meanwhile or the simulator stopped. */
  wait(call: SimCall, simMs: number, generation?: number): Promise<boolean>;
  /** Waits `simMs` of call time whatever the call does; false if the simulator stopped. */
  later(simMs: number): Promise<boolean>;
  /** Seconds (of call time) since the call was answered; at least 1 once answered. */
  simSeconds(call: SimCall): number;
  /** How the phone at `number` answers: its `answerAs` choice, else its scenario (scenarios.ts). */
  scenario(number: string): Scenario;
  /** The call's account (every call belongs to a known account). */
  account(call: SimCall): SimAccount;
  /** A signed webhook from the call's account. */
  webhook(account: SimAccount, url: string, params: Record<string, string>): Promise<string>;
}

export function createContext(options: {
  log: Logger;
  pace: number;
  callFlow: CallFlow;
  faults: TwilioFaults;
  recordRequests: boolean;
}): SimContext {
  const optOuts = new Map<string, Set<string>>();
  const ctx: SimContext = {
    ...options,
    accounts: new Map(),
    calls: new Map(),
    conferences: new Map(),
    trustBundles: new Map(),
    intelligence: createIntelligenceState(),
    answers: new Map(),
    messages: new Map(),
    messagingServices: new Map(),
    textOutcomes: new Map(),
    holdTexts: false,
    optOutsOf(accountSid) {
      let set = optOuts.get(accountSid);
      if (!set) {
        set = new Set();
        optOuts.set(accountSid, set);
      }
      return set;
    },
    noteText(message, text) {
      const event = { at: new Date(), callSid: message.sid, text };
      ctx.events.push(event);
      if (ctx.events.length > 500) ctx.events.shift();
      for (const listener of ctx.listeners) listener(event);
    },
    events: [],
    listeners: [],
    requests: [],
    closed: false,
    baseUrl: "",
    note(call, text) {
      call.transcript.push(text);
      const event = { at: new Date(), callSid: call.sid, text };
      ctx.events.push(event);
      if (ctx.events.length > 500) ctx.events.shift();
      for (const listener of ctx.listeners) listener(event);
    },
    async wait(call, simMs, generation = call.generation) {
      const until = Date.now() + simMs * ctx.pace;
      while (Date.now() < until) {
        if (ctx.closed || call.generation !== generation) return false;
        await sleep(Math.min(25, until - Date.now()));
      }
      return !ctx.closed && call.generation === generation;
    },
    async later(simMs) {
      await sleep(simMs * ctx.pace);
      return !ctx.closed;
    },
    simSeconds: (call) =>
      call.answeredAt === undefined ? 0 : Math.max(1, Math.round((Date.now() - call.answeredAt) / ctx.pace / 1000)),
    scenario: (number) => ctx.answers.get(number) ?? scenarioFor(number),
    account: (call) => ctx.accounts.get(call.accountSid)!,
    webhook: (account, url, params) =>
      options.faults.loseWebhooks?.(url)
        ? Promise.reject(new Error(`${url}: lost (faults.loseWebhooks)`))
        : sendWebhook(account, url, params),
  };
  return ctx;
}
