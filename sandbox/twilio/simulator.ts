import { createLogger, type Logger } from "../../src/lib/log.js";
import type { OutageOptions } from "../lib/server.js";
import { hangUp } from "./call-status.js";
import type { SimConference } from "./conferences/model.js";
import { createContext } from "./context.js";
import { serveSimulator } from "./http.js";
import { type InboundCallInput, inbound } from "./inbound.js";
import { addRecording, type IntelligenceState, type SimRecording } from "./intelligence.js";
import type { CampaignStatus, SimMessage, SimMessagingService } from "./messaging/model.js";
import { deliver, type InboundTextInput, inboundText, type TextOutcome } from "./messaging/texting.js";
import {
  type CallFlow,
  type Json,
  newCall,
  type SimAccount,
  type SimCall,
  type SimEvent,
  type TwilioFaults,
  type TwilioRequest,
} from "./model.js";
import { addNumber, type NumberInput, numberSid, releaseNumber } from "./numbers.js";
import { startPlaying } from "./outbound.js";
import { liveResource } from "./rest/calls.js";
import { randomSid } from "./rest-kit.js";
import { ANSWERS, type AnswerName, type Scenario } from "./scenarios.js";
import { addTrustBundle, type SimTrustBundle, type TrustBundleInput, unassignNumber } from "./trust-hub.js";

export type { SimConference, SimParticipant } from "./conferences/model.js";
export { type InboundCallInput, InboundRefused } from "./inbound.js";
export { type IntelligenceState, type SimRecording, TRANSCRIPT_SCRIPTS } from "./intelligence.js";
export type { CampaignStatus, SimMessage, SimMessagingService } from "./messaging/model.js";
export type { InboundTextInput, TextOutcome } from "./messaging/texting.js";
export type { CallFlow, SimAccount, SimCall, SimEvent, TwilioFaults, TwilioRequest } from "./model.js";
export { type NumberInput, SAMPLE_NUMBERS } from "./numbers.js";
export { DEFAULT_VOICEMAIL } from "./recordings.js";
export { CREATE_PARAMS, MAGIC_TO } from "./rest/call-rules.js";
export { randomSid, sidFrom } from "./rest-kit.js";
export { ANSWERS, type AnswerName, type Scenario } from "./scenarios.js";
export { type SimTrustBundle, TRUST_POLICIES, type TrustBundleInput, type TrustStatus } from "./trust-hub.js";

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
  /** Puts a number on the account, optionally with its friendly name, Voice/SMS URLs and capabilities. */
  addNumber(accountSid: string, number: NumberInput | string): void;
  /** The number is released (as in Twilio's Console): gone from the account and from Trust Hub. */
  releaseNumber(accountSid: string, phoneNumber: string): void;
  /** Trust Hub Customer Profiles and Trust Products by SID; a bundle's fields (status…) can be set live. */
  trustBundles: Map<string, SimTrustBundle>;
  /** A Trust Product (SHAKEN/STIR, CNAM, Voice Integrity, or any policy SID) with its numbers assigned. */
  addTrustProduct(accountSid: string, input: TrustBundleInput): SimTrustBundle;
  /** A Customer Profile (primary or secondary business profile) with its numbers assigned. */
  addCustomerProfile(accountSid: string, input: TrustBundleInput): SimTrustBundle;
  /**
   * Voice Intelligence: services, transcripts (set `readyAfterMs` to 0 and a transcript is completed
   * when first read) and the recordings transcripts can be made from.
   */
  intelligence: IntelligenceState;
  /** A recording a transcript can be made from, as if a call had made it (tests that send the recording callback themselves). */
  addRecording(recording: SimRecording): void;
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
   * A <Dial> child leg of `parentSid` as Twilio holds it after the fact, without playing it or sending
   * its webhooks: a test's stand-in for a leg whose callbacks never reached the app. Returns its SID.
   */
  addLeg(parentSid: string, leg: { to: string; status: string; durationSec?: number }): string;
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
  /** Texts (Messages) by SID, outbound and inbound. */
  messages: Map<string, SimMessage>;
  /** Messaging Services by SID (their Advanced Opt-Out words, `optOutReplies`, can be set live). */
  messagingServices: Map<string, SimMessagingService>;
  /** A Messaging Service with its senders (numbers already on the account), status callback and inbound URL. */
  addMessagingService(
    accountSid: string,
    input: { friendlyName?: string; senders: string[]; statusCallback?: string; inboundRequestUrl?: string },
  ): SimMessagingService;
  /** Sets the service's US A2P campaign (none: no campaign registered), with Twilio's errors for FAILED. */
  setCampaign(serviceSid: string, status: CampaignStatus | undefined, errors?: Record<string, unknown>[]): void;
  /** How texts to `number` end from now on (undefined: delivered). */
  textOutcome(number: string, outcome: TextOutcome | undefined): void;
  /** The account's opt-out list (numbers that texted STOP): a text to one is refused with 21610. */
  optOuts(accountSid: string): Set<string>;
  /** A person texts one of an account's numbers (STOP/START/HELP handled as Twilio does); the signed webhook. */
  inboundText(input: InboundTextInput): Promise<SimMessage>;
  /** Hold created texts (they stay `accepted`) until `deliverText`; false plays them out at once. */
  holdTexts(hold: boolean): void;
  /** Plays a held text out: its status callbacks in order. */
  deliverText(messageSid: string): Promise<void>;
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
    faults: {
      delays: new Map(),
      holds: new Map(),
      dropNextCreates: 0,
      dropPlacesCall: true,
      failNext: new Map(),
      ...options.faults,
    },
    recordRequests: options.recordRequests ?? false,
  });
  const resources = new WeakMap<SimCall, Json>();
  const callOf = (sid: string) => {
    const call = ctx.calls.get(sid);
    if (!call) throw new Error(`no simulated call ${sid}`);
    return call;
  };
  const accountOf = (sid: string) => {
    const account = ctx.accounts.get(sid);
    if (!account) throw new Error(`no simulated account ${sid}`);
    return account;
  };

  const listening = await serveSimulator(ctx, options.port);
  ctx.baseUrl = listening.url;

  return {
    url: ctx.baseUrl,
    accounts: ctx.accounts,
    calls: ctx.calls,
    conferences: ctx.conferences,
    trustBundles: ctx.trustBundles,
    events: ctx.events,
    requests: ctx.requests,
    faults: ctx.faults,
    onEvent: (listener) => void ctx.listeners.push(listener),
    addAccount(partial) {
      const account: SimAccount = { numbers: new Set(), apiKeys: new Map(), apps: new Map(), ...partial };
      ctx.accounts.set(account.sid, account);
      return account;
    },
    addNumber: (accountSid, number) => addNumber(accountOf(accountSid), number),
    releaseNumber(accountSid, phoneNumber) {
      const account = accountOf(accountSid);
      if (!account.numbers.has(phoneNumber)) throw new Error(`${phoneNumber} is not a number on ${accountSid}`);
      releaseNumber(account, phoneNumber);
      unassignNumber(ctx, accountSid, numberSid(phoneNumber));
    },
    intelligence: ctx.intelligence,
    addRecording: (recording) => addRecording(ctx, recording),
    addTrustProduct: (accountSid, input) => addTrustBundle(ctx, accountOf(accountSid), "trust-product", input),
    addCustomerProfile: (accountSid, input) => addTrustBundle(ctx, accountOf(accountSid), "customer-profile", input),
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
      const call = callOf(callSid);
      if (!call.held || call.status !== "queued") throw new Error(`call ${callSid} is not a queued, held call`);
      call.held = false;
      startPlaying(ctx, call);
    },
    hangUp: (callSid) => hangUp(ctx, callOf(callSid)),
    addLeg(parentSid, leg) {
      const parent = callOf(parentSid);
      const child = newCall({
        sid: randomSid("CA"),
        accountSid: parent.accountSid,
        to: leg.to,
        from: parent.from,
        direction: "outbound-dial",
        parentSid,
        status: leg.status,
        duration: leg.durationSec,
      });
      ctx.calls.set(child.sid, child);
      return child.sid;
    },
    answerAs(number, answer) {
      if (answer === undefined) ctx.answers.delete(number);
      else ctx.answers.set(number, typeof answer === "string" ? ANSWERS[answer] : answer);
    },
    inbound: (input) => inbound(ctx, input),
    messages: ctx.messages,
    messagingServices: ctx.messagingServices,
    addMessagingService(accountSid, input) {
      const account = accountOf(accountSid);
      for (const sender of input.senders)
        if (!account.numbers.has(sender)) throw new Error(`${sender} is not a number on ${accountSid}`);
      const service: SimMessagingService = {
        sid: randomSid("MG"),
        accountSid,
        friendlyName: input.friendlyName ?? "Leadline texts",
        senders: [...input.senders],
        ...(input.statusCallback ? { statusCallback: input.statusCallback } : {}),
        ...(input.inboundRequestUrl ? { inboundRequestUrl: input.inboundRequestUrl } : {}),
        advancedOptOut: true,
        created: new Date(),
      };
      ctx.messagingServices.set(service.sid, service);
      return service;
    },
    setCampaign(serviceSid, status, errors = []) {
      const service = ctx.messagingServices.get(serviceSid);
      if (!service) throw new Error(`no simulated Messaging Service ${serviceSid}`);
      if (!status) service.campaign = undefined;
      else
        service.campaign = {
          sid: service.campaign?.sid ?? randomSid("QE"),
          status,
          errors,
          useCase: "MIXED",
          created: service.campaign?.created ?? new Date(),
        };
    },
    textOutcome(number, outcome) {
      if (outcome) ctx.textOutcomes.set(number, outcome);
      else ctx.textOutcomes.delete(number);
    },
    optOuts: (accountSid) => ctx.optOutsOf(accountSid),
    inboundText: (input) => inboundText(ctx, input),
    holdTexts(hold) {
      ctx.holdTexts = hold;
    },
    deliverText(messageSid) {
      const message = ctx.messages.get(messageSid);
      if (!message) throw new Error(`no simulated message ${messageSid}`);
      return deliver(ctx, accountOf(message.accountSid), message);
    },
    unreachable: listening.unreachable,
    reachable: listening.reachable,
    close: () => {
      ctx.closed = true;
      return listening.close();
    },
  };
}
