import type { BlockAction, ButtonAction } from "@slack/bolt";
import { z } from "zod";
import { UserError } from "../../lib/errors.js";

/** A lead id as a button carries it. */
const leadId = z.coerce.number().int().positive().max(2_147_483_647);

/** The first action of a block_actions payload, as a button (Slack sends one action per click). */
export function buttonOf(body: BlockAction): ButtonAction {
  return body.actions[0] as ButtonAction;
}

/** The lead a card button is about; a tampered value is refused, never guessed at. */
export function leadIdOf(body: BlockAction): number {
  const parsed = leadId.safeParse(buttonOf(body)?.value);
  if (!parsed.success) throw new UserError("That button does not name a lead. Find the lead again with /lead.");
  return parsed.data;
}

/** One click, once: the clicker and the click's own time (Slack's action_ts). */
export function clickKeyOf(body: BlockAction): string {
  return `click:${body.user.id}:${buttonOf(body)?.action_ts ?? ""}`;
}

/**
 * Reads a modal's private_metadata (our own JSON of non-secret ids) against its schema. Slack
 * echoes it back, but a forged submission can carry anything: whatever does not fit is refused.
 */
export function readMetadata<T extends z.ZodType>(schema: T, privateMetadata: string | undefined): z.infer<T> {
  let json: unknown;
  try {
    json = JSON.parse(privateMetadata || "{}");
  } catch {
    json = undefined;
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new UserError("This form is out of date. Close it and open it again.");
  return parsed.data;
}

/** Like readMetadata, for a form that still works without it (the answer then goes by DM). */
export function metadataOr<T extends z.ZodType>(schema: T, privateMetadata: string | undefined, fallback: z.infer<T>) {
  try {
    return readMetadata(schema, privateMetadata);
  } catch {
    return fallback;
  }
}

const channelId = z.string().regex(/^[CGD][A-Z0-9]{2,}$/);
const ts = z.string().regex(/^\d{1,12}\.\d{1,9}$/);

/** Where a modal opened from a card or a command came from, so the answer goes back there. */
export const origin = z.object({
  channel: channelId.optional(),
  /** A lead card posted in a channel (not ephemeral): edited in place after a save. */
  cardTs: ts.optional(),
  /** The banner the card had, kept when it is redrawn. */
  banner: z.string().max(300).optional(),
});

export const leadFormMeta = origin.extend({
  leadId,
  /** The phone the form showed (null: none). A save never overwrites a number it did not show. */
  shownPhone: z.string().max(20).nullable().optional(),
});

export const addLeadMeta = origin;
export const historyMeta = z.object({ leadId });
export const settingsMeta = origin;

/** A scheduled call id as a button carries it. */
export function scheduledIdOf(body: BlockAction): number {
  const parsed = leadId.safeParse(buttonOf(body)?.value);
  if (!parsed.success)
    throw new UserError("That button does not name a scheduled call. List them with `/call-lead scheduled`.");
  return parsed.data;
}

/** A button that carries a JSON value (a time to book or move to), checked against its schema. */
export function jsonValueOf<T extends z.ZodType>(body: BlockAction, schema: T): z.infer<T> {
  let json: unknown;
  try {
    json = JSON.parse(buttonOf(body)?.value ?? "");
  } catch {
    json = undefined;
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new UserError("That button is out of date. Find the lead again with /lead.");
  return parsed.data;
}

/** The schedule modal: a new booking for a lead, or moving a booked call; where to answer. */
export const scheduleMeta = z.object({
  leadId,
  scheduledId: leadId.optional(),
  channel: channelId.optional(),
  threadTs: ts.optional(),
});

export const isoTime = z.iso.datetime({ offset: true }).transform((value) => new Date(value));
