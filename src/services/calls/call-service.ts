import type { Call, Lead } from "@prisma/client";
import type { Clock } from "../../lib/clock.js";
import { ComplianceBlock, UserError } from "../../lib/errors.js";
import type { Logger } from "../../lib/log.js";
import { dialCheck, dialRefusal, parsePhone } from "../../lib/phone.js";
import { isoSeconds } from "../../lib/time.js";
import type { AuditService } from "../audit/audit.js";
import { type CallingLaw, parseTeamWindow } from "../compliance/calling-law.js";
import type { ComplianceStore } from "../compliance/compliance-store.js";
import type { LeadService } from "../leads/lead-service.js";
import {
  DEFAULT_CALL_MESSAGE,
  DEFAULT_MENU_MESSAGE,
  missingLabels,
  REQUIRED_FOR,
  type SettingsService,
  type TwilioSettings,
} from "../setup/settings.js";
import { isTwilioRefusal, type TwilioClient, type TwilioFor, toTwilioError } from "../twilio/client.js";
import { bridgeCallTwiml, browserCallTwiml, fillMessage, liveCallTwiml, simpleCallTwiml } from "../twilio/twiml.js";
import type { CallNotifier } from "./call-notifier.js";
import type { CallStore, NewCall } from "./call-store.js";
import { AGENT_PHONE_MODES, type CallMode } from "./modes.js";

/** A guard left by a crash is released after this long, so a lead is never blocked for good. */
const STALE_GUARD_MS = 2 * 60 * 60_000;

export interface Agent {
  id: string;
  name?: string;
}

/** Where the call's line goes: the card's thread for a card in a channel, else the channel. */
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
  /** The command's or click's response_url: how the line reaches a channel the bot is not in. */
  responseUrl?: string;
  /** The click (user and action time) or schedule behind the call: one call per origin, ever. */
  originKey?: string;
  /** The instant calling hours are judged at (a scheduled call's tick); calling law's now by default. */
  lawNow?: Date;
}

export interface PlaceCallResult {
  call: Call;
  lead: Lead;
  /** Twilio did not answer the create in time and Leadline found the call on Twilio's side. */
  reconciled?: boolean;
  /** Whether the call's line reached the channel. */
  announced: boolean;
}

export interface CallServiceDeps {
  calls: CallStore;
  leads: LeadService;
  law: CallingLaw;
  compliance: Pick<ComplianceStore, "facts">;
  settings: SettingsService;
  audit: AuditService;
  twilioFor: TwilioFor;
  notifier: CallNotifier;
  browserLinks: {
    linkForCall(
      linkId: string,
      identity: string,
    ): Promise<{ workspaceId: number; leadId: number; channel: string | null; threadTs: string | null }>;
  };
  /** Told about every call Twilio accepted (the status poller watches it when there is no public URL). */
  afterPlaced?: (call: Call) => void;
  clock: Clock;
  log: Logger;
  allowedCountries: readonly string[];
  defaultCountry: string;
  publicBaseUrl?: string;
  /**
   * Named points where the kill -9 tests stop the process (call-row, twilio-answered, announced); a
   * no-op unless a test sets it.
   */
  crashPoint?: (point: string) => void;
}

export interface CallService {
  /** One operation for a click, a command and the scheduler: checks, guards, records, dials, announces, notes. */
  placeCall(input: PlaceCallInput): Promise<PlaceCallResult>;
  /** Which settings a mode still lacks (labels), for the command to say before anyone clicks. */
  missingFor(ws: number, mode: CallMode, agentId: string): Promise<string[]>;
  /** The checks every call passes before Twilio is asked; returns the callable number. */
  checkLead(lead: Lead, agentId: string): Promise<string>;
  agentPhone(ws: number, agentId: string): Promise<string | undefined>;
  /** The phone a live call placed for this agent rings first: their own, else the team's agent phone. */
  phoneThatRings(ws: number, agentId: string): Promise<string | undefined>;
  setAgentPhone(ws: number, agentId: string, raw: string): Promise<string>;
  /**
   * A row written before Twilio answered that never learned the answer (Leadline stopped, or both
   * the create and the lookup timed out): asks Twilio whether the call exists, adopts it or marks it
   * not placed (freeing the lead), and puts its line in the channel. Never dials.
   */
  settle(call: Call): Promise<"placed" | "not_placed" | "unknown">;
  /** A browser call Twilio is connecting: checks the link and the lead, records the call, announces it, returns the TwiML. */
  startBrowserCall(input: {
    linkId: string;
    identity: string;
    callSid: string;
  }): Promise<{ twiml: string; call: Call }>;
}

export function createCallService(deps: CallServiceDeps): CallService {
  const { calls, log } = deps;

  /** The countries this team calls: its own list in /twilio-setup, within the instance's ALLOWED_COUNTRIES. */
  const countriesFor = async (ws: number): Promise<readonly string[]> => {
    const team = (await deps.settings.get(ws)).teamCountries;
    if (!team) return deps.allowedCountries;
    const wanted = team.split(",").map((code) => code.trim().toUpperCase());
    return deps.allowedCountries.filter((code) => wanted.includes(code));
  };

  const refuse = async (
    agentId: string,
    lead: Lead,
    code: string,
    message: string,
    data: Record<string, unknown> = {},
  ): Promise<never> => {
    await deps.audit.record(lead.workspaceId, agentId, "call.refused", { leadId: lead.id, reason: code });
    throw new UserError(message, { code, data: { leadId: lead.id, leadName: lead.name, ...data } });
  };

  /** Writes the call row, which is the per-lead guard: a second click finds the first call. */
  /**
   * Writes the call row (the per-lead guard) with the calling-law check in the same transaction:
   * blocked → ComplianceBlock with every reason (and an audit row); allowed → the row.
   */
  const openCall = async (
    data: NewCall,
    lead: Lead,
    mode: CallMode,
    agentId: string,
    settings: TwilioSettings,
    lawNow?: Date,
  ): Promise<Call> => {
    const now = lawNow ?? deps.clock.callingNow();
    // The team's window from the settings this call already read (no second read of them).
    const team = parseTeamWindow(settings.callingWindow, settings.callingDays);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const result = await calls.open(data, async (tx) => {
        const facts = await deps.compliance.facts(
          tx,
          data.workspaceId,
          { id: lead.id, phone: data.to },
          new Date(now.getTime() - 24 * 3600_000),
        );
        const verdict = deps.law.verdictFrom({ ...lead, phone: data.to }, mode, now, facts, team);
        return verdict.allowed ? undefined : verdict;
      });
      if ("blocked" in result) {
        await deps.audit.record(data.workspaceId, agentId, "call.blocked", {
          leadId: lead.id,
          mode,
          reasons: result.blocked.reasons.map((reason) => reason.kind),
          zones: result.blocked.zones,
          states: result.blocked.states,
          next: result.blocked.nextAllowedAt?.toISOString(),
        });
        throw new ComplianceBlock(result.blocked, lead, mode);
      }
      if ("raced" in result) continue;
      if ("opened" in result) return result.opened;
      if ("duplicateOrigin" in result) {
        throw new UserError(`This click already placed a call to ${lead.name}; nothing was dialed again.`, {
          code: "already_placed",
          data: { leadName: lead.name, callSid: result.duplicateOrigin.twilioSid },
        });
      }
      if (deps.clock.now().getTime() - result.active.updatedAt.getTime() > STALE_GUARD_MS) {
        if (await calls.releaseGuard(result.active.id, lead.id))
          log.warn({ callId: result.active.id }, "released a stale call guard");
        continue;
      }
      throw new UserError(`Already calling ${lead.name}.`, {
        code: "already_calling",
        data: {
          leadName: lead.name,
          agentId: result.active.placedBy,
          startedAt: result.active.createdAt.toISOString(),
        },
      });
    }
    throw new UserError(`Could not start a call to ${lead.name}; try again.`, { code: "retry" });
  };

  const placed = async (call: Call, lead: Lead, sid: string, status: string, agent: Agent): Promise<Call> => {
    const now = deps.clock.now();
    const updated = await calls.recordPlaced(
      call.id,
      sid,
      status,
      {
        leadId: lead.id,
        author: agent.id,
        body: `[Outbound Call] Initiated from ${call.fromNumber} to ${call.toNumber} - Call SID: ${sid} - ${isoSeconds(now)}`,
      },
      now,
    );
    deps.afterPlaced?.(updated);
    return updated;
  };

  const service: CallService = {
    async agentPhone(ws, agentId) {
      return calls.agentPhone(ws, agentId);
    },
    async phoneThatRings(ws, agentId) {
      return (await calls.agentPhone(ws, agentId)) ?? (await deps.settings.get(ws)).agentPhone;
    },

    async setAgentPhone(ws, agentId, raw) {
      const parsed = parsePhone(raw, deps.defaultCountry);
      if (!parsed.ok)
        throw new UserError(`"${raw.trim()}" is not a callable number: ${parsed.reason}.`, { field: "phone" });
      const check = dialCheck(parsed.e164, deps.allowedCountries);
      if (!check.ok) {
        await deps.audit.record(ws, agentId, "agent.phone_refused", { reason: check.reason, country: check.country });
        throw new UserError(dialRefusal(check, parsed.e164), { field: "phone", code: check.reason });
      }
      await calls.setAgentPhone(ws, agentId, parsed.e164);
      await deps.audit.record(ws, agentId, "agent.phone_set", {});
      return parsed.e164;
    },

    async missingFor(ws, mode, agentId) {
      const settings = await deps.settings.get(ws);
      const missing = missingLabels(settings, mode === "browser" ? REQUIRED_FOR.browser : REQUIRED_FOR.any);
      if (AGENT_PHONE_MODES.has(mode) && !settings.agentPhone && !(await service.agentPhone(ws, agentId))) {
        missing.push("Agent phone number (or set your own with /call-lead settings)");
      }
      if (mode === "browser" && !deps.publicBaseUrl)
        missing.push("PUBLIC_BASE_URL (browser calls need an address Twilio can reach)");
      return missing;
    },

    async checkLead(lead, agentId) {
      if (!lead.phone) return refuse(agentId, lead, "no_phone", `${lead.name} has no phone number.`);
      if (lead.phoneWrongAt)
        return refuse(
          agentId,
          lead,
          "phone_wrong",
          `${lead.name}'s number was marked as a wrong number. Add the right one to call them.`,
        );
      const parsed = parsePhone(lead.phone, deps.defaultCountry);
      if (!parsed.ok) {
        return refuse(
          agentId,
          lead,
          "invalid_phone",
          `${lead.name}'s number ${lead.phone} is not callable: ${parsed.reason}.`,
          {
            phone: lead.phone,
          },
        );
      }
      const check = dialCheck(parsed.e164, await countriesFor(lead.workspaceId));
      if (!check.ok) {
        return refuse(agentId, lead, check.reason, `${dialRefusal(check, parsed.e164)} Nothing was dialed.`, {
          country: check.country,
        });
      }
      return parsed.e164;
    },

    async settle(call) {
      const { accountSid, authToken } = await deps.settings.get(call.workspaceId);
      const lead = await deps.leads.get(call.workspaceId, call.leadId);
      if (!accountSid || !authToken || !lead) return "unknown";
      let match: { sid: string; status: string } | undefined;
      try {
        match = await findOnTwilio(deps.twilioFor({ accountSid, authToken }), call, calls);
      } catch (error) {
        log.warn({ callId: call.id, err: error }, "could not ask Twilio about an unsettled call; will ask again");
        return "unknown";
      }
      if (match) {
        await placed(call, lead, match.sid, match.status, { id: call.placedBy });
        log.info({ callId: call.id }, "settled: Twilio had placed the call");
      } else {
        await calls.recordFailed(
          call.id,
          { message: "Leadline did not hear Twilio's answer, and Twilio has no record of the call" },
          deps.clock.now(),
        );
        log.info({ callId: call.id }, "settled: Twilio never placed the call; the lead is free again");
      }
      await deps.notifier.firstPost(call.id);
      return match ? "placed" : "not_placed";
    },

    async startBrowserCall({ linkId, identity, callSid }) {
      const link = await deps.browserLinks.linkForCall(linkId, identity);
      const ws = link.workspaceId;
      const settings = await deps.settings.get(ws);
      const missing = await service.missingFor(ws, "browser", identity);
      if (missing.length > 0) throw missingSettings(missing);
      const lead = await deps.leads.get(ws, link.leadId);
      if (!lead) throw new UserError("That lead no longer exists.", { code: "lead_missing" });
      const to = await service.checkLead(lead, identity);
      const from = settings.phoneNumber!;
      const call = await openCall(
        {
          workspaceId: ws,
          lead,
          mode: "browser",
          from,
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
        settings,
      );
      const recorded = await placed(call, lead, callSid, "in-progress", { id: identity });
      void deps.notifier.firstPost(recorded.id).catch((error) => log.warn({ err: error }, "browser call line failed"));
      return { twiml: browserCallTwiml(to, from), call: recorded };
    },

    async placeCall({ workspaceId: ws, leadId, mode, agent, target, responseUrl, originKey, lawNow }) {
      const settings = await deps.settings.get(ws);
      const lead = await deps.leads.get(ws, leadId);
      if (!lead) throw new UserError(`Lead #${leadId} no longer exists.`, { code: "lead_missing", data: { leadId } });
      const missing = await service.missingFor(ws, mode, agent.id);
      if (missing.length > 0) {
        await deps.audit.record(ws, agent.id, "call.refused", { leadId, reason: "missing_settings", missing });
        throw missingSettings(missing);
      }
      const to = await service.checkLead(lead, agent.id);
      const { accountSid, authToken, phoneNumber: from } = settings as Required<TwilioSettings>;
      const agentPhone = AGENT_PHONE_MODES.has(mode)
        ? ((await service.agentPhone(ws, agent.id)) ?? settings.agentPhone!)
        : undefined;
      if (agentPhone) {
        // The agent's phone is dialed too: it passes the same toll-fraud guard as the lead's.
        const check = dialCheck(agentPhone, await countriesFor(ws));
        if (!check.ok) {
          await deps.audit.record(ws, agent.id, "call.refused", { leadId, reason: `agent_${check.reason}` });
          throw new UserError(`The agent phone for this call cannot be dialed: ${dialRefusal(check, agentPhone)}`, {
            code: `agent_${check.reason}`,
          });
        }
      }

      // The row (and the guard) exist before Twilio is asked, so a crash leaves a trace, never a second
      // call; the calling-law check runs in the same transaction.
      const call = await openCall(
        {
          workspaceId: ws,
          lead,
          mode,
          from,
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
        settings,
        lawNow,
      );
      const base = deps.publicBaseUrl;
      const recording = settings.recording === "on";
      const recordingCallbacks = {
        recordingStatusCallback: `${base}/twilio/recording`,
        recordingStatusCallbackEvent: ["completed"],
        recordingStatusCallbackMethod: "POST",
      };
      const statusCallbacks = base
        ? {
            statusCallback: `${base}/twilio/status`,
            statusCallbackEvent: ["initiated", "ringing", "answered", "completed"],
            statusCallbackMethod: "POST",
          }
        : {};
      let request: Parameters<TwilioClient["calls"]["create"]>[0];
      if (mode === "live") {
        // The agent's phone rings first; the lead is dialed only once the agent answers.
        request = {
          to: agentPhone!,
          from,
          twiml: liveCallTwiml({
            leadName: lead.name,
            leadPhone: to,
            callerId: from,
            callbacks: base
              ? {
                  dialAction: `${base}/twilio/voice/dial-done?call=${call.id}`,
                  leadStatus: `${base}/twilio/status/lead?call=${call.id}`,
                  disclosure: recording ? `${base}/twilio/voice/disclosure?call=${call.id}` : undefined,
                  recording: recording ? `${base}/twilio/recording` : undefined,
                }
              : undefined,
          }),
          ...statusCallbacks,
        };
      } else {
        const message = fillMessage(settings.callMessage ?? DEFAULT_CALL_MESSAGE, lead);
        const script = {
          disclosure: recording,
          // The 1/9 menu needs an address Twilio can post the key press to.
          menu:
            base && mode === "message"
              ? {
                  prompt: settings.menuMessage ?? DEFAULT_MENU_MESSAGE,
                  action: `${base}/twilio/voice/menu?call=${call.id}`,
                }
              : undefined,
        };
        request = {
          to,
          from,
          twiml: agentPhone ? bridgeCallTwiml(message, agentPhone, from, script) : simpleCallTwiml(message, script),
          ...(base
            ? {
                ...statusCallbacks,
                machineDetection: "DetectMessageEnd",
                asyncAmd: "true",
                asyncAmdStatusCallback: `${base}/twilio/amd`,
                asyncAmdStatusCallbackMethod: "POST",
                ...(recording ? { record: true, ...recordingCallbacks } : {}),
              }
            : {}),
        };
      }
      const client = deps.twilioFor({ accountSid, authToken });
      let outcome: { call: Call; reconciled?: boolean };
      try {
        deps.crashPoint?.("call-row");
        const created = await client.calls.create(request);
        deps.crashPoint?.("twilio-answered");
        outcome = { call: await placed(call, lead, created.sid, created.status, agent) };
      } catch (error) {
        if (isTwilioRefusal(error)) {
          const refusal = toTwilioError(error)!;
          await calls.recordFailed(
            call.id,
            { code: Number(refusal.code) || null, message: refusal.message },
            deps.clock.now(),
          );
          await deps.audit.record(ws, agent.id, "call.twilio_refused", { leadId, callId: call.id, code: refusal.code });
          throw refusal;
        }
        // A timeout, a reset or a 5xx: Twilio may have placed the call. Ask before saying anything; never re-dial.
        log.warn({ callId: call.id, err: error }, "Twilio did not answer the create clearly; reconciling");
        await calls.markUnknown(call.id);
        outcome = await reconcile(client, call, lead, agent);
      }
      const announced = await deps.notifier.firstPost(outcome.call.id, { responseUrl });
      deps.crashPoint?.("announced");
      return { ...outcome, lead, announced };
    },
  };

  /** After an unclear answer: ask Twilio whether the call exists. Never dial again on our own. */
  const reconcile = async (
    client: TwilioClient,
    call: Call,
    lead: Lead,
    agent: Agent,
  ): Promise<{ call: Call; reconciled: true }> => {
    let match: { sid: string; status: string } | undefined;
    try {
      match = await findOnTwilio(client, call, calls);
    } catch (error) {
      // We cannot tell: keep the guard so nobody re-dials blindly; the sweep settles it with Twilio.
      log.warn({ callId: call.id, err: error }, "reconcile lookup failed; the call stays unconfirmed");
      throw new UserError(
        `Twilio did not answer, and Leadline could not confirm whether the call to ${lead.name} was placed. It will not re-dial; Leadline keeps asking Twilio and the call's status will be settled within a few minutes.`,
        { code: "unknown", data: { leadName: lead.name } },
      );
    }
    if (match) {
      log.info({ callId: call.id }, "reconciled: Twilio had placed the call");
      return { call: await placed(call, lead, match.sid, match.status, agent), reconciled: true };
    }
    await calls.recordFailed(
      call.id,
      { message: "Twilio did not answer and has no record of the call" },
      deps.clock.now(),
    );
    throw new UserError(
      `Twilio did not answer in time and has no record of a call to ${lead.name}, so nothing was dialed. You can try again.`,
      { code: "not_placed", data: { leadName: lead.name } },
    );
  };

  return service;
}

function missingSettings(labels: string[]): UserError {
  return new UserError(`Missing Twilio settings: ${labels.join(", ")}. An admin can run /twilio-setup to add them.`, {
    code: "missing_settings",
    data: { labels },
  });
}

/**
 * The call on Twilio's side that a row without a SID stands for: to that number, from that number,
 * created since the row (a minute's slack for clock skew), not owned by another row. Oldest first.
 */
export async function findOnTwilio(
  client: TwilioClient,
  call: Pick<Call, "toNumber" | "fromNumber" | "createdAt" | "agentNumber">,
  calls: Pick<CallStore, "knownSids">,
): Promise<{ sid: string; status: string } | undefined> {
  const since = new Date(call.createdAt.getTime() - 60_000);
  // A live call is placed to the agent's phone first: that is the call Twilio knows.
  const to = call.agentNumber ?? call.toNumber;
  // Twilio's StartTime filter works by day: the whole day's calls between these numbers come back (on a
  // team's shared agent phone, many). Every page is read, then narrowed to the window here.
  const found = await client.calls.list({
    to,
    from: call.fromNumber,
    startTimeAfter: since,
    pageSize: 200,
    limit: 2_000,
  });
  const known = await calls.knownSids(found.map((c) => c.sid));
  return found
    .filter((c) => !known.has(c.sid) && c.dateCreated && c.dateCreated.getTime() >= since.getTime())
    .sort((a, b) => (a.dateCreated?.getTime() ?? 0) - (b.dateCreated?.getTime() ?? 0))[0];
}
