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
import { CANNOT_TEXT, checkBody, firstTextBody, textErrorWords } from "./compose.js";
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
  /** Why texting this lead cannot work at all now (not set up, no A2P approval, a number that cannot take texts), or undefined. */
  readiness(ws: number, lead: Lead): Promise<string | undefined>;
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
  if (!settings.accountSid || !settings.authToken)
    throw new UserError("Twilio is not connected; an admin can connect it with /twilio-setup.", {
      code: "twilio_missing",
    });
  if (!settings.messagingServiceSid)
    throw new UserError(
      "Texting is not set up: an admin picks the Messaging Service texts go through in /twilio-setup.",
      { code: "texting_not_set_up" },
    );
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
    throw new UserError(
      `Texting is off until your A2P campaign is approved. Twilio reports the campaign as ${a2p.status}${a2p.errors.length ? `: ${a2p.errors.join("; ")}` : ""}. Nothing was sent.`,
      { code: "a2p_unapproved", data: { status: a2p.status, errors: a2p.errors } },
    );
  };

  /** Twilio said earlier that this number cannot take texts (21614, 30006…): said before anything is written. */
  const requireTextable = async (ws: number, lead: Lead) => {
    const mark = await deps.store.unreachable(ws, lead.phone!);
    if (!mark) return;
    throw new UserError(
      `${lead.name}'s number cannot receive texts: ${textErrorWords(mark.code)} (Twilio ${mark.code}, ${mark.at.toISOString().slice(0, 10)}). Nothing was sent; call them, or change their number.`,
      { code: "text_cannot_receive", data: { leadName: lead.name, twilioCode: mark.code } },
    );
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
    throw new UserError(
      `Nothing was sent to ${lead.name}: ${textErrorWords(code, refusal.message)} (Twilio ${code}).`,
      {
        code: CANNOT_TEXT.has(code ?? 0) ? "text_cannot_receive" : "text_refused",
        data: { leadName: lead.name, twilioCode: code },
      },
    );
  };

  /** After a timeout or 5xx: the text on Twilio's side (same number and body, since the row), or nothing sent. */
  const reconcile = async (client: TwilioClient, text: Text, lead: Who): Promise<Text> => {
    const since = new Date(text.createdAt.getTime() - 60_000);
    let found: Awaited<ReturnType<TwilioClient["messages"]["list"]>>;
    try {
      found = await client.messages.list({ to: text.phone, dateSentAfter: since, pageSize: 100, limit: 500 });
    } catch (error) {
      deps.log.warn({ textId: text.id, err: error }, "could not ask Twilio about an unclear text");
      throw new UserError(
        `Twilio did not answer, and Leadline could not confirm whether the text to ${lead.name} was sent. It will not send it again.`,
        { code: "text_unknown", data: { leadName: lead.name } },
      );
    }
    const known = await deps.store.knownSids(found.map((m) => m.sid));
    const match = found
      .filter((m) => !known.has(m.sid) && m.body === text.body && m.dateCreated.getTime() >= since.getTime())
      .sort((a, b) => a.dateCreated.getTime() - b.dateCreated.getTime())[0];
    if (match) return deps.store.recordSent(text.id, match.sid, match.status, match.from ?? null);
    await deps.store.recordNotSent(text.id, { message: "Twilio did not answer and has no record of the text" });
    throw new UserError(
      `Twilio did not answer in time and has no record of a text to ${lead.name}, so nothing was sent. You can try again.`,
      { code: "text_not_sent", data: { leadName: lead.name } },
    );
  };

  return {
    async readiness(ws, lead) {
      if (!lead.phone) return `${lead.name} has no phone number to text.`;
      const settings = await deps.settings.get(ws);
      try {
        requireTexting(settings);
        await requireA2p(ws, lead.phone!, settings);
        await requireTextable(ws, lead);
      } catch (error) {
        if (error instanceof UserError) return error.message.replace(/ Nothing was sent\.?/, "");
        throw error;
      }
      return undefined;
    },

    ofLead: (ws, leadId) => deps.store.ofLead(ws, leadId, 500),

    async draftOf(ws, textId) {
      const text = await deps.store.byId(ws, textId);
      if (text?.direction !== "outbound" || text.status !== "not_sent" || !text.leadId)
        throw new UserError("That text can no longer be scheduled; write it again.", { code: "text_missing" });
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
      if (!lead) throw new UserError(`Lead #${input.leadId} no longer exists.`, { code: "lead_missing" });
      if (!lead.phone)
        throw new UserError(`${lead.name} has no phone number to text.`, {
          code: "no_phone",
          data: { leadName: lead.name },
        });
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
      if ("duplicate" in opened)
        throw new UserError(`This click already sent a text to ${lead.name}; nothing was sent again.`, {
          code: "text_already_sent",
          data: { leadName: lead.name },
        });
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
