import type { Call, Lead } from "@prisma/client";
import type { Clock } from "../../lib/clock.js";
import { isDatabaseBusy, UserError } from "../../lib/errors.js";
import type { Logger } from "../../lib/log.js";
import type { AuditService } from "../audit/audit-store.js";
import { type CallerId, type CallerIdChoice, FROM_NOT_ON_ACCOUNT } from "../callerid/callerid-service.js";
import type { LeadService } from "../leads/lead-service.js";
import { isTwilioRefusal, type TwilioClient, toTwilioError } from "../twilio/client.js";
import { browserCallTwiml } from "../twilio/twiml.js";
import type { TwilioFor } from "../twilio/workspace-twilio.js";
import type { CallContexts } from "./call-context.js";
import type { CallNotifier } from "./call-notifier.js";
import { buildCallRequest } from "./call-request.js";
import type { CallStore } from "./call-store.js";
import { AGENT_PHONE_MODES, type CallMode } from "./modes.js";
import type { OpenCall } from "./open-call.js";
import type { CallReadiness } from "./readiness.js";
import type { Reconciler, RecordPlaced } from "./reconcile.js";

export interface Agent {
  id: string;
  name?: string;
}

/** Where the call's post goes: the card's thread for a card in a channel, else the channel. */
export interface CallTarget {
  channel: string;
  threadTs?: string;
}

export interface PlaceCallInput {
  workspaceId: number;
  leadId: number;
  mode: Exclude<CallMode, "browser">;
  agent: Agent;
  target: CallTarget;
  /** The command's or click's response_url: how the post reaches a channel the bot is not in. */
  responseUrl?: string;
  /** The click (user and action time) or schedule behind the call: one call per origin, ever. */
  originKey?: string;
  /** The instant calling hours are judged at (a scheduled call's tick); the clock's callingNow by default. */
  lawNow?: Date;
}

export interface PlaceCallResult {
  call: Call;
  lead: Lead;
  /** Twilio did not answer the create in time and Leadline found the call on Twilio's side. */
  reconciled?: boolean;
  /** Whether the call's post reached the channel. */
  announced: boolean;
}

/** Saving a call Twilio accepted failed (the database was busy): retried this many times before saying so. */
const SAVE_PLACED_ATTEMPTS = 4;

export interface CallService {
  /** One operation for a click, a command and the scheduler: checks, guards, records, dials, announces, notes. */
  placeCall(input: PlaceCallInput): Promise<PlaceCallResult>;
  /** A browser call Twilio is connecting: checks the link and the lead, records the call, announces it, returns the TwiML. */
  startBrowserCall(input: {
    linkId: string;
    identity: string;
    callSid: string;
  }): Promise<{ twiml: string; call: Call }>;
}

export function createCallService(deps: {
  calls: Pick<CallStore, "recordFailed" | "markUnknown" | "changeCallerId">;
  callerId: CallerId;
  leads: Pick<LeadService, "get">;
  contexts: CallContexts;
  readiness: CallReadiness;
  openCall: OpenCall;
  recordPlaced: RecordPlaced;
  reconciler: Pick<Reconciler, "afterUnclear">;
  audit: AuditService;
  twilioFor: TwilioFor;
  notifier: Pick<CallNotifier, "firstPost">;
  browserLinks: {
    linkForCall(
      linkId: string,
      identity: string,
    ): Promise<{ workspaceId: number; leadId: number; channel: string | null; threadTs: string | null }>;
  };
  clock: Clock;
  log: Logger;
  publicBaseUrl?: string;
  /** Named points where the kill -9 tests stop the process (call-row, twilio-answered, announced); a no-op unless a test sets it. */
  crashPoint?: (point: string) => void;
}): CallService {
  const { log } = deps;

  /**
   * Twilio accepted the call: store its SID. A database that fails here (busy, a pool timeout) never turns
   * a placed call into an error or a second dial: the save is retried, and if it still fails the row stays
   * guarded and unsettled, so the sweep adopts the call from Twilio within a minute.
   */
  const savePlaced = async (call: Call, lead: Lead, sid: string, status: string, agentId: string): Promise<Call> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await deps.recordPlaced(call, sid, status, agentId);
      } catch (error) {
        log.warn({ callId: call.id, err: error, attempt }, "Twilio placed the call but saving it failed");
        if (attempt >= SAVE_PLACED_ATTEMPTS)
          throw UserError.of("placed_unsaved", { leadName: lead.name, callSid: sid, busy: isDatabaseBusy(error) });
        await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
      }
    }
  };

  /** Asks Twilio for the call; a refusal is recorded as failed, an unclear answer is reconciled, never re-dialled. */
  const dial = async (
    client: TwilioClient,
    call: Call,
    lead: Lead,
    agentId: string,
    request: Parameters<TwilioClient["calls"]["create"]>[0],
    fromGone?: (call: Call) => Promise<{ call: Call; request: typeof request } | undefined>,
  ): Promise<{ call: Call; reconciled?: boolean }> => {
    let created: { sid: string; status: string };
    try {
      deps.crashPoint?.("call-row");
      created = await client.calls.create(request);
      deps.crashPoint?.("twilio-answered");
    } catch (error) {
      if (isTwilioRefusal(error)) {
        const refusal = toTwilioError(error)!;
        // A pool number released in Twilio: nothing was placed, so the call goes out once more from the next best.
        const retry = Number(refusal.code) === FROM_NOT_ON_ACCOUNT ? await fromGone?.(call) : undefined;
        if (retry) return dial(client, retry.call, lead, agentId, retry.request);
        await deps.calls.recordFailed(
          call.id,
          { code: Number(refusal.code) || null, message: refusal.message },
          deps.clock.now(),
        );
        await deps.audit.record(call.workspaceId, agentId, "call.twilio_refused", {
          leadId: lead.id,
          callId: call.id,
          code: refusal.code,
        });
        throw refusal;
      }
      // A timeout, a reset or a 5xx: Twilio may have placed the call. Ask before saying anything; never re-dial.
      log.warn({ callId: call.id, err: error }, "Twilio did not answer the create clearly; reconciling");
      await deps.calls.markUnknown(call.id);
      return { call: await deps.reconciler.afterUnclear(client, call, lead, agentId), reconciled: true };
    }
    return { call: await savePlaced(call, lead, created.sid, created.status, agentId) };
  };

  /** Opens the call's row from the caller ID chosen for it; its count is given back when no row opens. */
  const openFrom = async (
    ws: number,
    lead: Lead,
    to: string,
    teamNumber: string,
    now: Date,
    open: (from: string, callerIdRule: string) => Promise<Call>,
  ): Promise<{ call: Call; choice: CallerIdChoice }> => {
    // The number as dialled (readiness parsed it), whatever the lead row holds.
    const choice = await deps.callerId.choose(ws, { ...lead, phone: to }, teamNumber, now);
    let call: Call;
    try {
      call = await open(choice.number, choice.rule);
    } catch (error) {
      await deps.callerId.release(choice).catch((err) => log.warn({ err }, "could not give a caller ID's count back"));
      throw error;
    }
    await deps.callerId.confirm(choice, lead.id);
    return { call, choice };
  };

  /** Twilio refused a pool number as the caller ID (released): it leaves the pool and the call takes the next best. */
  const fallBack = async (
    gone: Call,
    choice: CallerIdChoice,
    lead: Lead,
    teamNumber: string,
    now: Date,
    agentId: string,
  ): Promise<Call | undefined> => {
    if (
      choice.rule === "team" ||
      !(await deps.callerId.numberGone(gone.workspaceId, gone.fromNumber, deps.clock.now()))
    )
      return undefined;
    const next = await deps.callerId.choose(gone.workspaceId, { ...lead, phone: gone.toNumber }, teamNumber, now);
    if (next.number === gone.fromNumber) return undefined;
    const moved = await deps.calls.changeCallerId(gone.id, next.number, next.rule);
    await deps.callerId.confirm(next, lead.id);
    await deps.audit.record(gone.workspaceId, agentId, "call.caller_id_fallback", {
      callId: gone.id,
      gone: `***${gone.fromNumber.slice(-4)}`,
      now: `***${next.number.slice(-4)}`,
    });
    return moved;
  };

  return {
    async placeCall({ workspaceId: ws, leadId, mode, agent, target, responseUrl, originKey, lawNow }) {
      const lead = await deps.leads.get(ws, leadId);
      if (!lead) throw UserError.of("lead_missing", { leadId });
      const context = await deps.contexts.read(ws, agent.id);
      await deps.readiness.requireReady(ws, lead, mode, agent.id, context);
      const to = await deps.readiness.checkLead(lead, agent.id, context.countries);
      const agentPhone = AGENT_PHONE_MODES.has(mode) ? context.agentPhone : undefined;
      if (agentPhone) await deps.readiness.checkAgentPhone(ws, lead.id, agent.id, agentPhone, context.countries);
      const teamNumber = context.settings.phoneNumber!;
      const now = lawNow ?? deps.clock.callingNow();
      // The row (and the guard) exist before Twilio is asked, so a crash leaves a trace, never a second
      // call; the calling-law check runs in the same transaction.
      const { call, choice } = await openFrom(ws, lead, to, teamNumber, now, (from, callerIdRule) =>
        deps.openCall(
          {
            workspaceId: ws,
            lead,
            mode,
            from,
            callerIdRule,
            to,
            agentNumber: mode === "live" ? agentPhone : undefined,
            agentId: agent.id,
            status: "dialing",
            channel: target.channel,
            threadTs: target.threadTs,
            originKey,
          },
          lead,
          mode,
          agent.id,
          context.settings,
          lawNow,
        ),
      );
      const requestFrom = (from: string, callId: number) =>
        buildCallRequest({
          mode,
          callId,
          workspaceId: ws,
          leadName: lead.name,
          to,
          from,
          agentPhone,
          settings: context.settings,
          publicBaseUrl: deps.publicBaseUrl,
        });
      const request = requestFrom(choice.number, call.id);
      const fromGone = async (gone: Call) => {
        const next = await fallBack(gone, choice, lead, teamNumber, now, agent.id);
        return next ? { call: next, request: requestFrom(next.fromNumber, next.id) } : undefined;
      };
      const { client } = await deps.twilioFor(ws, context.settings);
      const outcome = await dial(client, call, lead, agent.id, request, fromGone);
      const announced = await deps.notifier.firstPost(outcome.call.id, {
        responseUrl,
        maskNumbers: context.maskNumbers,
      });
      deps.crashPoint?.("announced");
      return { ...outcome, lead, announced };
    },

    async startBrowserCall({ linkId, identity, callSid }) {
      const link = await deps.browserLinks.linkForCall(linkId, identity);
      const ws = link.workspaceId;
      const lead = await deps.leads.get(ws, link.leadId);
      if (!lead) throw UserError.of("lead_missing");
      const context = await deps.contexts.read(ws, identity);
      await deps.readiness.requireReady(ws, lead, "browser", identity, context);
      const to = await deps.readiness.checkLead(lead, identity, context.countries);
      const { call } = await openFrom(
        ws,
        lead,
        to,
        context.settings.phoneNumber!,
        deps.clock.callingNow(),
        (from, callerIdRule) =>
          deps.openCall(
            {
              workspaceId: ws,
              lead,
              mode: "browser",
              from,
              callerIdRule,
              to,
              agentId: identity,
              status: "dialing",
              channel: link.channel ?? identity,
              threadTs: link.threadTs ?? undefined,
              originKey: `browser:${callSid}`,
            },
            lead,
            "browser",
            identity,
            context.settings,
          ),
      );
      const recorded = await deps.recordPlaced(call, callSid, "in-progress", identity);
      void deps.notifier.firstPost(recorded.id).catch((error) => log.warn({ err: error }, "browser call post failed"));
      return { twiml: browserCallTwiml(to, recorded.fromNumber), call: recorded };
    },
  };
}
