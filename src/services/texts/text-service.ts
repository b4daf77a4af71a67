import type { Lead, Text } from "@prisma/client";
import type { Clock } from "../../lib/clock.js";
import { ComplianceBlock, UserError } from "../../lib/errors.js";
import type { Logger } from "../../lib/log.js";
import { phoneCountry } from "../../lib/phone.js";
import type { AuditService } from "../audit/audit-store.js";
import type { TextSender } from "../callerid/text-sender.js";
import { parseTeamWindow } from "../compliance/calling-law.js";
import type { ComplianceStore, Reader } from "../compliance/compliance-store.js";
import { callingVerdict, type Verdict } from "../compliance/verdict.js";
import type { LeadService } from "../leads/lead-service.js";
import type { SettingsService, TwilioSettings } from "../setup/settings.js";
import { isTwilioRefusal, type TwilioClient, toTwilioError } from "../twilio/client.js";
import type { TwilioFor } from "../twilio/workspace-twilio.js";
import type { A2pGate } from "./a2p.js";
import { CANNOT_TEXT, checkBody, firstTextBody } from "./compose.js";
import type { StopConfirmation, TextNotifier } from "./text-notifier.js";
import type { NewOutboundText, TextStore } from "./text-store.js";

export interface SendTextInput {
  workspaceId: number;
  leadId: number;
  body: string;
  agentId: string;
  /** Where the text's message goes when the lead has no thread yet. */
  target?: { channel: string; threadTs?: string };
  /** The click, command or schedule behind it: one text per origin, ever. */
  originKey?: string;
  kind?: NewOutboundText["kind"];
  /** The instant texting hours are judged at (a scheduled text's tick); the clock's callingNow by default. */
  lawNow?: Date;
}

export interface SendTextResult {
  text: Text;
  lead: Lead;
  /** Twilio's answer was unclear and the text was found on Twilio's side. */
  reconciled?: boolean;
  shown: boolean;
}

export interface TextService {
  /** One path for a click, a command, a modal and the scheduler: checks, the row, Twilio, the thread. */
  sendText(input: SendTextInput): Promise<SendTextResult>;
  /**
   * Why texting this lead cannot work at all now (no phone, not set up, no A2P approval, a number that
   * cannot take texts) as the refusal a send would meet (its words are in views), or undefined.
   */
  readiness(ws: number, lead: Lead): Promise<UserError | undefined>;
  /** The lead's texts (both ways, refused ones too), newest first, for History. */
  ofLead(ws: number, leadId: number): Promise<Text[]>;
  /** A text the law refused, for Send at …: its lead and what the agent wrote. */
  draftOf(ws: number, textId: number): Promise<{ leadId: number; body: string }>;
  /** The verdict for a text to this lead now (texts' hours, do-not-call, consent for marketing, caps). */
  verdict(ws: number, lead: Lead, now: Date, marketing?: boolean): Promise<Verdict>;
  /**
   * The team's own STOP confirmation, when the admin wrote one (else Twilio's reply is the only one): at most
   * one per origin (the STOP text's SID), ever, whatever replays or instances.
   */
  confirmStop(ws: number, phone: string, lead: Lead | null, originKey: string): Promise<StopConfirmation>;
}

/** Who a text is to, for words and audit: the lead, or the number alone. */
type Who = { id: number | null; name: string };

export interface TextServiceDeps {
  store: TextStore;
  leads: Pick<LeadService, "get">;
  settings: Pick<SettingsService, "get">;
  compliance: Pick<ComplianceStore, "facts">;
  /** The database, for facts read outside a send's transaction. */
  reader: Reader;
  twilioFor: TwilioFor;
  a2p: A2pGate;
  notifier: TextNotifier;
  audit: AuditService;
  /** Called on 21610 (Twilio says the lead opted out): the same as an inbound STOP. */
  optOut(ws: number, phone: string, source: string): Promise<void>;
  teamNameOf(ws: number): Promise<string>;
  clock: Clock;
  log: Logger;
  publicBaseUrl?: string;
  /** The lead's caller ID among the Messaging Service's senders (local caller ID); none: the service picks. */
  sender?: TextSender;
}

const DAY_MS = 24 * 3600_000;
/** A reply to a lead who texted the team within this long is conversation, not marketing. */
const REPLY_WINDOW_MS = 30 * DAY_MS;

/** Texting is set up: Twilio connected and a Messaging Service picked. */
function requireTexting(settings: TwilioSettings): string {
  if (!settings.accountSid || !settings.authToken) throw UserError.of("twilio_missing");
  if (!settings.messagingServiceSid) throw UserError.of("texting_not_set_up");
  return settings.messagingServiceSid;
}

export function createTextService(deps: TextServiceDeps): TextService {
  const judge = (
    lead: Lead,
    now: Date,
    marketing: boolean,
    settings: TwilioSettings,
    facts: Awaited<ReturnType<ComplianceStore["facts"]>>,
  ) =>
    callingVerdict({
      phone: lead.phone!,
      address: { state: lead.state, zip: lead.zip },
      now,
      mode: "live",
      channel: "text",
      teamWindow: parseTeamWindow(settings.callingWindow, settings.callingDays),
      attempts: facts.attempts,
      textAttempts: facts.textAttempts ?? [],
      onDoNotCallList: facts.onDoNotCallList && !facts.textsResumed,
      marketingText: marketing,
      textConsent: facts.textConsent ?? false,
    });

  /** The A2P gate: nothing goes to a US number before the campaign is approved. */
  const requireA2p = async (ws: number, phone: string, settings: TwilioSettings) => {
    if (phoneCountry(phone) !== "US") return;
    const a2p = await deps.a2p.status(ws, settings);
    if (a2p.approved) return;
    throw UserError.of("a2p_unapproved", { status: a2p.status, errors: a2p.errors });
  };

  /** Twilio said earlier that this number cannot take texts (21614, 30006…): said before anything is written. */
  const requireTextable = async (ws: number, lead: Lead) => {
    const mark = await deps.store.unreachable(ws, lead.phone!);
    if (!mark) return;
    throw UserError.of("text_unreachable", {
      leadName: lead.name,
      twilioCode: mark.code,
      markedOn: mark.at.toISOString().slice(0, 10),
    });
  };

  const send = async (client: TwilioClient, text: Text, service: string, lead: Who, from?: string) => {
    const statusCallback = deps.publicBaseUrl
      ? `${deps.publicBaseUrl}/twilio/sms/status?ws=${text.workspaceId}&text=${text.id}`
      : undefined;
    try {
      const sent = await client.messages.create({
        to: text.phone,
        messagingServiceSid: service,
        ...(from ? { from } : {}),
        body: text.body,
        ...(statusCallback ? { statusCallback } : {}),
      });
      return { text: await deps.store.recordSent(text.id, sent.sid, sent.status, sent.from ?? null) };
    } catch (error) {
      if (isTwilioRefusal(error)) return refused(text, lead, error);
      deps.log.warn({ textId: text.id, err: error }, "Twilio did not answer the text clearly; reconciling");
      await deps.store.markUnknown(text.id);
      return { text: await reconcile(client, text, lead), reconciled: true };
    }
  };

  const refused = async (text: Text, lead: Who, error: unknown): Promise<never> => {
    const refusal = toTwilioError(error)!;
    const code = Number(refusal.code) || null;
    await deps.store.recordNotSent(text.id, { code, message: refusal.message });
    await deps.audit.record(text.workspaceId, text.agentId ?? "leadline", "text.twilio_refused", {
      leadId: lead.id,
      textId: text.id,
      code,
    });
    // A confirmation refused with 21610: Twilio's own opt-out handling is on and its reply went instead.
    if (code === 21610 && text.kind !== "confirmation") await deps.optOut(text.workspaceId, text.phone, "twilio 21610");
    if (code && CANNOT_TEXT.has(code)) await deps.store.markUnreachable(text.workspaceId, text.phone, code);
    throw UserError.of(CANNOT_TEXT.has(code ?? 0) ? "text_cannot_receive" : "text_refused", {
      leadName: lead.name,
      twilioCode: code,
      said: refusal.message,
    });
  };

  /** After a timeout or 5xx: the text on Twilio's side (same number and body, since the row), or nothing sent. */
  const reconcile = async (client: TwilioClient, text: Text, lead: Who): Promise<Text> => {
    const since = new Date(text.createdAt.getTime() - 60_000);
    let found: Awaited<ReturnType<TwilioClient["messages"]["list"]>>;
    try {
      found = await client.messages.list({ to: text.phone, dateSentAfter: since, pageSize: 100, limit: 500 });
    } catch (error) {
      deps.log.warn({ textId: text.id, err: error }, "could not ask Twilio about an unclear text");
      throw UserError.of("text_unknown", { leadName: lead.name });
    }
    const known = await deps.store.knownSids(found.map((m) => m.sid));
    const match = found
      .filter((m) => !known.has(m.sid) && m.body === text.body && m.dateCreated.getTime() >= since.getTime())
      .sort((a, b) => a.dateCreated.getTime() - b.dateCreated.getTime())[0];
    if (match) return deps.store.recordSent(text.id, match.sid, match.status, match.from ?? null);
    await deps.store.recordNotSent(text.id, { message: "Twilio did not answer and has no record of the text" });
    throw UserError.of("text_not_sent", { leadName: lead.name });
  };

  return {
    async readiness(ws, lead) {
      if (!lead.phone) return UserError.of("no_phone", { leadName: lead.name, toText: true });
      const settings = await deps.settings.get(ws);
      try {
        requireTexting(settings);
        await requireA2p(ws, lead.phone!, settings);
        await requireTextable(ws, lead);
        // A form for a lead who texted STOP would only end in a refusal: say so before anything is written.
        if (await deps.store.optedOut(ws, lead.phone)) throw UserError.of("text_opted_out", { leadName: lead.name });
      } catch (error) {
        if (error instanceof UserError) return error;
        throw error;
      }
      return undefined;
    },

    ofLead: (ws, leadId) => deps.store.ofLead(ws, leadId, 500),

    async draftOf(ws, textId) {
      const text = await deps.store.byId(ws, textId);
      if (text?.direction !== "outbound" || text.status !== "not_sent" || !text.leadId)
        throw UserError.of("text_missing");
      return { leadId: text.leadId, body: text.body };
    },

    async verdict(ws, lead, now, marketing = true) {
      const settings = await deps.settings.get(ws);
      const facts = await deps.compliance.facts(
        deps.reader,
        ws,
        { id: lead.id, phone: lead.phone! },
        new Date(now.getTime() - DAY_MS),
      );
      return judge(lead, now, marketing, settings, facts);
    },

    async confirmStop(ws, phone, lead, originKey) {
      const settings = await deps.settings.get(ws);
      const words = settings.textStopConfirmation?.trim();
      if (!words || !settings.messagingServiceSid || !settings.accountSid) return "twilio";
      const who: Who = lead ?? { id: null, name: phone };
      const thread = lead ? await deps.store.leadThread(ws, lead.id) : undefined;
      try {
        await requireA2p(ws, phone, settings);
        // No law check: 47 CFR 64.1200(a)(12) allows this one text after an opt-out, the number on the list.
        const opened = await deps.store.open(
          {
            workspaceId: ws,
            leadId: lead?.id ?? null,
            phone,
            body: checkBody(words),
            kind: "confirmation",
            agentId: "leadline",
            originKey,
            ...(thread ? { slackChannel: thread.channel, slackThreadTs: thread.threadTs } : {}),
          },
          async () => undefined,
        );
        if (!("opened" in opened)) return "already";
        const { client } = await deps.twilioFor(ws, settings);
        const outcome = await send(client, opened.opened, settings.messagingServiceSid, who);
        if (lead) await deps.notifier.show(outcome.text, lead);
        return "sent";
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        deps.log.info({ ws, code: error.code }, "the team's STOP confirmation was not sent");
        return "not_sent";
      }
    },

    async sendText(input) {
      const ws = input.workspaceId;
      const lead = await deps.leads.get(ws, input.leadId);
      if (!lead) throw UserError.of("lead_missing", { leadId: input.leadId });
      if (!lead.phone) throw UserError.of("no_phone", { leadName: lead.name, toText: true });
      const settings = await deps.settings.get(ws);
      const service = requireTexting(settings);
      const kind = input.kind ?? "agent";
      // The team's name and the STOP words go with the first text the team starts (a reply to HELP has its own).
      const first = (kind === "agent" || kind === "textback") && !(await deps.store.anySent(ws, lead.id));
      const teamName = first ? settings.textTeamName || (await deps.teamNameOf(ws)) : "";
      const body = checkBody(input.body, first ? (b) => firstTextBody(b, teamName) : undefined);
      await requireA2p(ws, lead.phone!, settings);
      await requireTextable(ws, lead);
      const now = input.lawNow ?? deps.clock.callingNow();
      const marketing =
        kind === "agent" &&
        !(await deps.store.textedUsSince(ws, lead.phone, new Date(now.getTime() - REPLY_WINDOW_MS)));
      const thread = (await deps.store.leadThread(ws, lead.id)) ?? input.target;
      const opened = await deps.store.open(
        {
          workspaceId: ws,
          leadId: lead.id,
          phone: lead.phone,
          body,
          kind,
          agentId: input.agentId,
          ...(input.originKey ? { originKey: input.originKey } : {}),
          ...(thread ? { slackChannel: thread.channel, slackThreadTs: thread.threadTs } : {}),
        },
        async (tx) => {
          const facts = await deps.compliance.facts(
            tx,
            ws,
            { id: lead.id, phone: lead.phone! },
            new Date(now.getTime() - DAY_MS),
          );
          const verdict = judge(lead, now, marketing, settings, facts);
          return verdict.allowed ? undefined : verdict;
        },
        input.body.trim(),
      );
      if ("duplicate" in opened) throw UserError.of("text_already_sent", { leadName: lead.name });
      if ("blocked" in opened) {
        await deps.audit.record(ws, input.agentId, "text.blocked", {
          leadId: lead.id,
          textId: opened.refused.id,
          reasons: (opened.blocked as Extract<Verdict, { allowed: false }>).reasons.map((r) => r.kind),
        });
        throw new ComplianceBlock(opened.blocked as Extract<Verdict, { allowed: false }>, lead, "text", {
          textId: opened.refused.id,
        });
      }
      const { client } = await deps.twilioFor(ws, settings);
      const sender = await deps.sender?.choose(ws, lead, settings, now);
      const outcome = await send(client, opened.opened, service, lead, sender?.from);
      await sender?.sent().catch((error) => deps.log.warn({ err: error }, "could not keep the text's caller ID"));
      const shown = await deps.notifier.show(outcome.text, lead);
      return { ...outcome, lead, shown };
    },
  };
}
