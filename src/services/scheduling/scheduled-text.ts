import type { Lead, ScheduledCall } from "@prisma/client";
import { ComplianceBlock, ExternalError, UserError } from "../../lib/errors.js";
import type { Verdict } from "../compliance/verdict.js";
import type { Claim, ScheduleStore } from "./schedule-store.js";

/** What the agent is told (the scheduler's events, the two a text can have besides moved and cancelled). */
type TextEvent =
  | { kind: "missed"; row: ScheduledCall; lead: Lead; overdueMs: number }
  | { kind: "failed"; row: ScheduledCall; lead: Lead; error: unknown };

/** How the scheduler sends a scheduled text (the text service's sendText, through the same checks). */
export type SendScheduledText = (input: {
  workspaceId: number;
  leadId: number;
  body: string;
  agentId: string;
  target: { channel: string; threadTs?: string };
  originKey: string;
  lawNow: Date;
}) => Promise<{ textId: number }>;

/** The origin of a scheduled text: the refused text it came from (one text per Send at … click, ever). */
export const textOriginOf = (row: Pick<ScheduledCall, "id" | "textId">) =>
  `scheduled-text:${row.textId ?? `row${row.id}`}`;

/**
 * Fires one claimed row that holds a text ("Send at …"): sends it through the text service (the law is
 * judged again, the row before Twilio, an unclear answer reconciled), so a row claimed twice (a crash, a
 * lease taken over) still sends one text: the origin key is the click's.
 */
export async function fireScheduledText(
  deps: {
    store: Pick<ScheduleStore, "finish">;
    sendText?: SendScheduledText;
    announce: (ws: number, event: TextEvent) => Promise<void>;
    /** A text overdue by more than this (Leadline was down) is reported, not sent. */
    missedAfterMs: number;
    blocked(
      claim: Claim,
      row: ScheduledCall,
      lead: Lead,
      verdict: Extract<Verdict, { allowed: false }>,
    ): Promise<"moved" | "cancelled">;
  },
  claim: Claim,
  row: ScheduledCall,
  lead: Lead,
  lawNow: Date,
): Promise<"placed" | "moved" | "cancelled" | "missed"> {
  const overdueMs = lawNow.getTime() - row.dueAt.getTime();
  if (overdueMs > deps.missedAfterMs) {
    await deps.store.finish(claim, "missed", { reason: "Leadline was not running when it was due" });
    await deps.announce(row.workspaceId, { kind: "missed", row, lead, overdueMs });
    return "missed";
  }
  if (!deps.sendText) {
    await deps.store.finish(claim, "cancelled", { reason: "texting is not available on this instance" });
    return "cancelled";
  }
  try {
    const sent = await deps.sendText({
      workspaceId: row.workspaceId,
      leadId: row.leadId,
      body: row.textBody!,
      agentId: row.agentId,
      target: { channel: row.channel, ...(row.threadTs ? { threadTs: row.threadTs } : {}) },
      originKey: textOriginOf(row),
      lawNow,
    });
    await deps.store.finish(claim, "placed", { textId: sent.textId });
    return "placed";
  } catch (error) {
    if (error instanceof ComplianceBlock)
      return deps.blocked(claim, row, lead, error.verdict as Extract<Verdict, { allowed: false }>);
    if (error instanceof UserError && error.code === "text_already_sent") {
      // An earlier claim of this row got as far as the text's row: never sent twice.
      await deps.store.finish(claim, "placed", { reason: "already sent by an earlier attempt" });
      return "placed";
    }
    // A fault of Leadline's: the claim stays; its lease runs out and a later tick tries (the origin holds).
    if (!(error instanceof UserError) && !(error instanceof ExternalError)) throw error;
    await deps.store.finish(claim, "placed", { reason: error.message.slice(0, 300) });
    await deps.announce(row.workspaceId, { kind: "failed", row, lead, error });
    return "placed";
  }
}
