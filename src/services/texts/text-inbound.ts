import type { Text } from "@prisma/client";
import type { Clock } from "../../lib/clock.js";
import type { EventBus } from "../../lib/events.js";
import type { Logger } from "../../lib/log.js";
import type { LeadService } from "../leads/lead-service.js";
import type { SettingsService } from "../setup/settings.js";
import { CANNOT_TEXT } from "./compose.js";
import type { TextNotifier } from "./text-notifier.js";
import type { TextService } from "./text-service.js";
import type { TextStore } from "./text-store.js";

/** Twilio's standard keywords (compliance.md, Release 3): a body that is exactly one of them. */
const KEYWORDS: Record<string, "STOP" | "START" | "HELP"> = Object.fromEntries([
  ...["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"].map((w) => [w, "STOP" as const]),
  ...["START", "YES", "UNSTOP"].map((w) => [w, "START" as const]),
  ...["HELP", "INFO"].map((w) => [w, "HELP" as const]),
]);

/**
 * The keyword a text is: Twilio's OptOutType, else a body that is exactly a keyword (any case, spaces
 * around). An opt-out is also read through punctuation and spaces ("Stop.", "STOP!!", "opt out",
 * "Opt-Out", "stop all"): the FCC counts "stop", "opt out" … as a reasonable revocation however written
 * (47 CFR 64.1200(a)(10)), so Leadline honours it even where Twilio's exact match does not. START and
 * HELP stay exact: a "Yes!" answering "Free at 5?" is not an opt-in.
 */
export function keywordOf(body: string, optOutType?: string): "STOP" | "START" | "HELP" | undefined {
  const given = optOutType?.toUpperCase();
  if (given === "STOP" || given === "START" || given === "HELP") return given;
  const exact = KEYWORDS[body.trim().toUpperCase()];
  if (exact) return exact;
  if (body.length > 40) return undefined;
  const letters = body
    .normalize("NFKC")
    .toUpperCase()
    .replace(/[^A-Z]/g, "");
  return KEYWORDS[letters] === "STOP" &&
    /^[\s\p{P}\p{S}]*[a-z]+(?:[\s\p{P}]+[a-z]+)?[\s\p{P}\p{S}]*$/iu.test(body.normalize("NFKC"))
    ? "STOP"
    : undefined;
}

export interface InboundText {
  sid: string;
  from: string;
  to: string;
  body: string;
  optOutType?: string;
}

export interface TextInbound {
  /** A text from a lead (or anyone): stored once, keywords acted on, then posted by the outbox. */
  receive(ws: number, text: InboundText): Promise<Text>;
  /** Twilio's status callback for a text: moves it forward, shows it, and a 21610 opts the number out. */
  status(
    ws: number,
    sid: string,
    status: string,
    error: { code: number | null; message: string | null },
  ): Promise<void>;
  /**
   * STOP or 21610: do-not-call for calls and texts, consent revoked, scheduled calls and texts cancelled, the
   * thread told. A STOP text (`stopSid`) that opted the number out now gets at most one confirmation.
   */
  optOut(ws: number, phone: string, source: string, stopSid?: string): Promise<void>;
}

export function createTextInbound(deps: {
  store: TextStore;
  leads: Pick<LeadService, "findByPhone">;
  settings: Pick<SettingsService, "get">;
  texts: () => Pick<TextService, "sendText" | "confirmStop">;
  notifier: TextNotifier;
  events: EventBus;
  clock: Clock;
  log: Logger;
}): TextInbound {
  const inbound: TextInbound = {
    async optOut(ws, phone, source, stopSid) {
      const result = await deps.store.optOut(ws, phone, source, deps.clock.now());
      const lead = (await deps.leads.findByPhone(ws, phone)) ?? null;
      const confirmation =
        stopSid && result.stopped
          ? await deps
              .texts()
              .confirmStop(ws, phone, lead, `stop-confirm:${stopSid}`)
              .catch((error) => {
                deps.log.warn({ err: error, ws }, "could not send the team's STOP confirmation");
                return "not_sent" as const;
              })
          : undefined;
      await deps.notifier.optedOut(ws, lead, phone, {
        source,
        cancelled: result.cancelled,
        revoked: result.revoked,
        ...(confirmation ? { confirmation } : {}),
      });
    },
    async receive(ws, message) {
      let keyword = keywordOf(message.body, message.optOutType);
      // "Yes" (or START) from a number that never opted out is an answer, not an opt-in: shown as a text.
      if (keyword === "START" && !(await deps.store.optIn(ws, message.from, "START by text"))) keyword = undefined;
      // One write on the hot path: the store finds the number's lead inside it.
      const { text, created } = await deps.store.recordInbound({
        workspaceId: ws,
        phone: message.from,
        teamNumber: message.to,
        body: message.body,
        sid: message.sid,
        optOutType: keyword ?? null,
      });
      if (!created) return text;
      deps.events.emit("text.received", { ws, textId: text.id });
      if (keyword === "STOP") await inbound.optOut(ws, message.from, "STOP by text", text.twilioSid ?? message.sid);
      else if (keyword === "HELP" && text.leadId !== null) {
        const help = (await deps.settings.get(ws)).textHelp;
        if (help)
          await deps
            .texts()
            .sendText({
              workspaceId: ws,
              leadId: text.leadId,
              body: help,
              agentId: "leadline",
              kind: "help",
              originKey: `help:${text.twilioSid}`,
            })
            .catch((error) => deps.log.warn({ err: error, textId: text.id }, "could not answer HELP"));
      }
      return text;
    },
    async status(ws, sid, status, error) {
      const moved = await deps.store.moveStatus(sid, status, error);
      if (!moved || moved.workspaceId !== ws) return;
      deps.events.emit("text.moved", { ws, textId: moved.id });
      if (error.code === 21610) await inbound.optOut(ws, moved.phone, "twilio 21610");
      else if (error.code && CANNOT_TEXT.has(error.code)) await deps.store.markUnreachable(ws, moved.phone, error.code);
    },
  };
  return inbound;
}
