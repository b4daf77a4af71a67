import type { Call, Lead } from "@prisma/client";
import { ExternalError, UserError } from "../../lib/errors.js";
import type { Logger } from "../../lib/log.js";
import { formatPhone, parsePhone } from "../../lib/phone.js";
import { ago, isoSeconds } from "../../lib/time.js";
import type { CallMode } from "../../views/lead-card.js";
import type { AuditService } from "../audit/audit.js";
import {
  DEFAULT_CALL_MESSAGE,
  DEFAULT_MENU_MESSAGE,
  missingLabels,
  REQUIRED_FOR,
  type SettingsService,
  type TwilioSettings,
} from "../setup/settings.js";
import type { Db } from "../store/db.js";
import { isAmbiguousTwilioFailure, type TwilioClient, type TwilioFor, toTwilioError } from "../twilio/client.js";
import { bridgeCallTwiml, browserCallTwiml, fillMessage, simpleCallTwiml } from "../twilio/twiml.js";

/** A guard left by a crash is released after this long, so a lead is never blocked for good. */
const STALE_GUARD_MS = 2 * 60 * 60_000;

export interface Agent {
  id: string;
  name?: string;
}

export interface PlaceCallInput {
  leadId: number;
  mode: Exclude<CallMode, "browser">;
  agent: Agent;
}

export type PlaceCallResult = { call: Call; lead: Lead; reconciled?: boolean };

export interface CallServiceDeps {
  /** Told about every call Twilio accepted (the status poller watches it when there is no public URL). */
  afterPlaced?: (call: Call) => void;
  browserLinks: {
    linkForCall(
      linkId: string,
      identity: string,
    ): Promise<{ leadId: number; channel: string | null; threadTs: string | null }>;
  };
  db: Db;
  settings: SettingsService;
  audit: AuditService;
  twilioFor: TwilioFor;
  clock: () => Date;
  log: Logger;
  allowedCountries: readonly string[];
  defaultCountry: string;
  publicBaseUrl?: string;
}

export class AlreadyCallingError extends UserError {
  constructor(
    readonly lead: Lead,
    readonly active: Call,
    now: Date,
  ) {
    super(`Already calling ${lead.name} (started ${ago(active.createdAt, now)} ago by <@${active.placedBy}>).`, {
      code: "already_calling",
    });
  }
}

export function missingSettingsMessage(labels: string[]): string {
  return `Missing Twilio settings: ${labels.join(", ")}. An admin can run \`/twilio-setup\` to add them.`;
}

export interface CallService {
  /** Checks, guards, records, then asks Twilio once. Throws UserError / ExternalError with what to tell the clicker. */
  placeCall(input: PlaceCallInput): Promise<PlaceCallResult>;
  /** Which settings a mode still lacks (labels), for the command to say before anyone clicks. */
  missingFor(mode: CallMode, agentId: string): Promise<string[]>;
  /** The checks every call passes before Twilio is asked; returns the callable number. */
  checkLead(lead: Lead, agentId: string): Promise<string>;
  agentPhone(agentId: string): Promise<string | undefined>;
  setAgentPhone(agentId: string, raw: string): Promise<string>;
  /** Takes the per-lead guard by writing the Call row; throws AlreadyCallingError. */
  openCall(data: {
    lead: Lead;
    mode: CallMode;
    from: string;
    to: string;
    agentId: string;
    status: string;
    twilioSid?: string;
  }): Promise<Call>;
  /** A browser call Twilio is connecting: checks the link and the lead, records the call, returns the TwiML. */
  startBrowserCall(input: {
    linkId: string;
    identity: string;
    callSid: string;
  }): Promise<{ twiml: string; call: Call; lead: Lead; target: { channel: string; threadTs?: string } }>;
}

export function createCallService(deps: CallServiceDeps): CallService {
  const { db, log } = deps;

  const refuse = async (agentId: string, lead: Lead, reason: string, message: string): Promise<never> => {
    await deps.audit.record(agentId, "call.refused", { leadId: lead.id, reason });
    throw new UserError(message, { code: reason });
  };

  const service: CallService = {
    async agentPhone(agentId) {
      return (await db.agentSetting.findUnique({ where: { slackUserId: agentId } }))?.phone;
    },

    async setAgentPhone(agentId, raw) {
      const parsed = parsePhone(raw, deps.defaultCountry);
      if (!parsed.ok)
        throw new UserError(`"${raw.trim()}" is not a callable number: ${parsed.reason}.`, { field: "phone" });
      await db.agentSetting.upsert({
        where: { slackUserId: agentId },
        create: { slackUserId: agentId, phone: parsed.e164 },
        update: { phone: parsed.e164 },
      });
      await deps.audit.record(agentId, "agent.phone_set", {});
      return parsed.e164;
    },

    async missingFor(mode, agentId) {
      const settings = await deps.settings.get();
      const missing = missingLabels(settings, mode === "browser" ? REQUIRED_FOR.browser : REQUIRED_FOR.any);
      if (mode === "bridge" && !settings.agentPhone && !(await service.agentPhone(agentId))) {
        missing.push("Agent phone number (or set your own with `/call-lead settings`)");
      }
      if (mode === "browser" && !deps.publicBaseUrl)
        missing.push("PUBLIC_BASE_URL (browser calls need an address Twilio can reach)");
      return missing;
    },

    async checkLead(lead, agentId) {
      if (!lead.phone) {
        return refuse(
          agentId,
          lead,
          "no_phone",
          `${lead.name} has no phone number. Add one with the *Add phone* button on the lead's card (\`/lead #${lead.id}\`).`,
        );
      }
      const parsed = parsePhone(lead.phone, deps.defaultCountry);
      if (!parsed.ok) {
        return refuse(
          agentId,
          lead,
          "invalid_phone",
          `${lead.name}'s number ${lead.phone} is not callable: ${parsed.reason}.`,
        );
      }
      if (!parsed.country || !deps.allowedCountries.includes(parsed.country)) {
        return refuse(
          agentId,
          lead,
          "country_not_allowed",
          `${formatPhone(parsed.e164)} is ${parsed.country ? `in ${parsed.country}` : "not in a known country"}; Leadline may only call ${deps.allowedCountries.join(", ")} (ALLOWED_COUNTRIES). Nothing was dialed.`,
        );
      }
      if (parsed.type === "PREMIUM_RATE" || parsed.type === "SHARED_COST") {
        return refuse(
          agentId,
          lead,
          "premium_rate",
          `${formatPhone(parsed.e164)} is a premium-rate number; Leadline never calls those (toll-fraud guard). Nothing was dialed.`,
        );
      }
      if (lead.doNotCall) {
        return refuse(agentId, lead, "do_not_call", `${lead.name} is on the do-not-call list. Nothing was dialed.`);
      }
      return parsed.e164;
    },

    async openCall({ lead, mode, from, to, agentId, status, twilioSid }) {
      const data = {
        leadId: lead.id,
        activeLeadId: lead.id,
        mode,
        fromNumber: from,
        toNumber: to,
        status,
        placedBy: agentId,
        twilioSid,
      };
      for (let attempt = 0; attempt < 2; attempt += 1) {
        try {
          return await db.call.create({ data });
        } catch (error) {
          if ((error as { code?: string }).code !== "P2002") throw error;
          const active = await db.call.findUnique({ where: { activeLeadId: lead.id } });
          if (!active) continue;
          const now = deps.clock();
          if (now.getTime() - active.updatedAt.getTime() > STALE_GUARD_MS) {
            await db.call.updateMany({ where: { id: active.id, activeLeadId: lead.id }, data: { activeLeadId: null } });
            log.warn({ callId: active.id }, "released a stale call guard");
            continue;
          }
          throw new AlreadyCallingError(lead, active, now);
        }
      }
      throw new UserError(`Could not start a call to ${lead.name}; try again.`);
    },

    async startBrowserCall({ linkId, identity, callSid }) {
      const link = await deps.browserLinks.linkForCall(linkId, identity);
      const settings = await deps.settings.get();
      const missing = await service.missingFor("browser", identity);
      if (missing.length > 0) throw new UserError(missingSettingsMessage(missing));
      const lead = await db.lead.findUnique({ where: { id: link.leadId } });
      if (!lead) throw new UserError("That lead no longer exists.");
      const to = await service.checkLead(lead, identity);
      const from = settings.phoneNumber!;
      const call = await service.openCall({ lead, mode: "browser", from, to, agentId: identity, status: "dialing" });
      const recorded = await succeeded(call, lead, callSid, "in-progress", { id: identity });
      return {
        twiml: browserCallTwiml(to, from),
        call: recorded,
        lead,
        target: { channel: link.channel ?? identity, threadTs: link.threadTs ?? undefined },
      };
    },

    async placeCall({ leadId, mode, agent }) {
      const settings = await deps.settings.get();
      const lead = await db.lead.findUnique({ where: { id: leadId } });
      if (!lead) throw new UserError(`Lead #${leadId} no longer exists.`);
      const missing = await service.missingFor(mode, agent.id);
      if (missing.length > 0) {
        await deps.audit.record(agent.id, "call.refused", { leadId, reason: "missing_settings", missing });
        throw new UserError(missingSettingsMessage(missing), { code: "missing_settings" });
      }
      const to = await service.checkLead(lead, agent.id);
      const { accountSid, authToken, phoneNumber: from } = settings as Required<TwilioSettings>;
      const message = fillMessage(settings.callMessage ?? DEFAULT_CALL_MESSAGE, lead);
      const agentPhone = mode === "bridge" ? ((await service.agentPhone(agent.id)) ?? settings.agentPhone!) : undefined;

      // The row (and the guard) exist before Twilio is asked, so a crash leaves a trace, never a second call.
      const call = await service.openCall({ lead, mode, from, to, agentId: agent.id, status: "dialing" });
      const base = deps.publicBaseUrl;
      const recording = settings.recording === "on";
      const script = {
        disclosure: recording,
        // The 1/9 menu needs an address Twilio can post the key press to.
        menu:
          base && mode === "simple"
            ? {
                prompt: settings.menuMessage ?? DEFAULT_MENU_MESSAGE,
                action: `${base}/twilio/voice/menu?call=${call.id}`,
              }
            : undefined,
      };
      const twiml = agentPhone ? bridgeCallTwiml(message, agentPhone, from, script) : simpleCallTwiml(message, script);
      const client = deps.twilioFor({ accountSid, authToken });
      try {
        const created = await client.calls.create({
          to,
          from,
          twiml,
          ...(base
            ? {
                statusCallback: `${base}/twilio/status`,
                statusCallbackEvent: ["initiated", "ringing", "answered", "completed"],
                statusCallbackMethod: "POST",
                machineDetection: "DetectMessageEnd",
                asyncAmd: "true",
                asyncAmdStatusCallback: `${base}/twilio/amd`,
                asyncAmdStatusCallbackMethod: "POST",
                ...(recording
                  ? {
                      record: true,
                      recordingStatusCallback: `${base}/twilio/recording`,
                      recordingStatusCallbackEvent: ["completed"],
                      recordingStatusCallbackMethod: "POST",
                    }
                  : {}),
              }
            : {}),
        });
        return { call: await succeeded(call, lead, created.sid, created.status, agent), lead };
      } catch (error) {
        const refusal = toTwilioError(error);
        if (refusal) {
          await db.call.update({
            where: { id: call.id },
            data: {
              status: "failed",
              activeLeadId: null,
              errorCode: Number(refusal.code) || null,
              errorMessage: refusal.message,
              endedAt: deps.clock(),
            },
          });
          await deps.audit.record(agent.id, "call.twilio_refused", { leadId, callId: call.id, code: refusal.code });
          throw new ExternalError("twilio", refusal.code, refusal.message, refusal.moreInfo, refusal.status);
        }
        if (!isAmbiguousTwilioFailure(error)) {
          await db.call.update({
            where: { id: call.id },
            data: {
              status: "failed",
              activeLeadId: null,
              errorMessage: String((error as Error).message).slice(0, 500),
              endedAt: deps.clock(),
            },
          });
          throw error;
        }
        log.warn(
          { callId: call.id, err: error },
          "Twilio did not answer the create; reconciling before telling anyone",
        );
        await db.call.update({ where: { id: call.id }, data: { status: "unknown" } });
        return { ...(await reconcile(client, call, lead, agent)), lead };
      }
    },
  };

  const succeeded = async (call: Call, lead: Lead, sid: string, status: string, agent: Agent): Promise<Call> => {
    const now = deps.clock();
    const updated = await db.$transaction(async (tx) => {
      const updated = await tx.call.update({ where: { id: call.id }, data: { twilioSid: sid, status } });
      await tx.note.create({
        data: {
          leadId: lead.id,
          author: agent.name ?? agent.id,
          body: `[Outbound Call] Initiated from ${call.fromNumber} to ${call.toNumber} - Call SID: ${sid} - ${isoSeconds(now)}`,
        },
      });
      await tx.lead.update({ where: { id: lead.id }, data: { lastContactedAt: now } });
      return updated;
    });
    deps.afterPlaced?.(updated);
    return updated;
  };

  /** After a timeout: ask Twilio whether the call exists. Never dial again on our own. */
  const reconcile = async (
    client: TwilioClient,
    call: Call,
    lead: Lead,
    agent: Agent,
  ): Promise<{ call: Call; reconciled: true }> => {
    try {
      const since = new Date(call.createdAt.getTime() - 60_000);
      const found = await client.calls.list({
        to: call.toNumber,
        from: call.fromNumber,
        startTimeAfter: since,
        limit: 20,
      });
      const known = new Set(
        (
          await db.call.findMany({ where: { twilioSid: { in: found.map((c) => c.sid) } }, select: { twilioSid: true } })
        ).map((c) => c.twilioSid),
      );
      const match = found
        .filter((c) => !known.has(c.sid) && c.dateCreated && c.dateCreated.getTime() >= since.getTime())
        .sort((a, b) => (a.dateCreated?.getTime() ?? 0) - (b.dateCreated?.getTime() ?? 0))[0];
      if (match) {
        log.info({ callId: call.id }, "reconciled: Twilio had placed the call");
        return { call: await succeeded(call, lead, match.sid, match.status, agent), reconciled: true };
      }
      await db.call.update({
        where: { id: call.id },
        data: {
          status: "failed",
          activeLeadId: null,
          errorMessage: "Twilio did not answer and has no record of the call",
          endedAt: deps.clock(),
        },
      });
      throw new UserError(
        `Twilio did not answer in time and has no record of a call to ${lead.name}, so nothing was dialed. You can try again.`,
        { code: "not_placed" },
      );
    } catch (error) {
      if (error instanceof UserError) throw error;
      // We cannot tell: keep the guard so nobody re-dials blindly; the status poller settles it later.
      log.warn({ callId: call.id, err: error }, "reconcile lookup failed; call stays unknown");
      throw new UserError(
        `Twilio did not answer, and Leadline could not confirm whether the call to ${lead.name} was placed. It will not re-dial; the call's status will be settled with Twilio shortly.`,
        { code: "unknown" },
      );
    }
  };

  return service;
}
