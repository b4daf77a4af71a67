import type { Call, Lead } from "@prisma/client";
import { type DatabaseHandle, statements } from "../store/db.js";
import type { CallFactKind } from "./modes.js";

/** What a call's post (its Slack message) is rendered from. */
export type CallPost = Call & { lead: Pick<Lead, "id" | "name">; facts: CallFactKind[] };

/**
 * The state of each call's post: the version the call is at, the version the post shows, and one
 * editor at a time across instances (a lease). Every change to a call bumps `postVersion`; whoever
 * holds the lease edits until the post shows the newest.
 */
export interface CallPostStore {
  takeLock(callId: number, owner: string, until: Date, now: Date): Promise<boolean>;
  releaseLock(callId: number, owner: string): Promise<void>;
  /** The call with what its post shows (lead name, facts). */
  post(callId: number): Promise<CallPost | undefined>;
  /** Whether the call's post needs an editor, from the call row alone (no join). */
  needs(callId: number): Promise<"nothing" | "post" | "edit">;
  posted(callId: number, where: { channel: string; ts: string } | undefined, version: number): Promise<void>;
  shown(callId: number, version: number): Promise<void>;
  /** Calls placed whose post never went out (a crash between Twilio's answer and the post). */
  unposted(olderThan: Date): Promise<number[]>;
  /** Posts showing an older version than the call's, with no live editor (one died mid-edit). */
  behind(since: Date, now: Date): Promise<number[]>;
}

export function createCallPostStore(database: DatabaseHandle): CallPostStore {
  const db = database.prisma;
  const { write, rows } = statements(database);
  return {
    async takeLock(callId, owner, until, now) {
      const taken = await write(
        `UPDATE "Call" SET "postLock" = ?, "postLockUntil" = ?::timestamp(3)
          WHERE "id" = ? AND ("postLock" IS NULL OR "postLockUntil" < ?::timestamp(3))`,
        owner,
        until,
        callId,
        now,
      );
      return taken === 1;
    },
    async releaseLock(callId, owner) {
      await write(
        `UPDATE "Call" SET "postLock" = NULL, "postLockUntil" = NULL WHERE "id" = ? AND "postLock" = ?`,
        callId,
        owner,
      );
    },
    async post(callId) {
      const call = await db.call.findUnique({
        where: { id: callId },
        include: { lead: { select: { id: true, name: true } }, facts: { orderBy: { id: "asc" } } },
      });
      if (!call) return undefined;
      return { ...call, facts: call.facts.map((fact) => fact.kind as CallFactKind) };
    },
    async needs(callId) {
      const [call] = await rows<{
        postState: string;
        postShown: unknown;
        postVersion: unknown;
        slackChannel: string | null;
        slackTs: string | null;
      }>(
        `SELECT "postState", "postShown", "postVersion", "slackChannel", "slackTs" FROM "Call" WHERE "id" = ?`,
        callId,
      );
      if (!call || call.postState === "none") return "nothing";
      if (call.postState === "pending") return "post";
      return Number(call.postShown) < Number(call.postVersion) && call.slackChannel && call.slackTs
        ? "edit"
        : "nothing";
    },
    async posted(callId, where, version) {
      if (where)
        await write(
          `UPDATE "Call" SET "slackChannel" = ?, "slackTs" = ?, "postState" = 'posted', "postShown" = ? WHERE "id" = ?`,
          where.channel,
          where.ts,
          version,
          callId,
        );
      else await write(`UPDATE "Call" SET "postState" = 'none', "postShown" = ? WHERE "id" = ?`, version, callId);
    },
    async shown(callId, version) {
      await write(`UPDATE "Call" SET "postShown" = ? WHERE "id" = ? AND "postShown" < ?`, version, callId, version);
    },
    async unposted(olderThan) {
      const found = await db.call.findMany({
        where: { postState: "pending", twilioSid: { not: null }, createdAt: { lt: olderThan } },
        select: { id: true },
        take: 100,
      });
      return found.map((row) => row.id);
    },
    async behind(since, now) {
      const found = await db.call.findMany({
        where: {
          updatedAt: { gt: since },
          slackTs: { not: null },
          postShown: { lt: db.call.fields.postVersion },
          OR: [{ postLock: null }, { postLockUntil: { lt: now } }],
        },
        select: { id: true },
        take: 100,
      });
      return found.map((row) => row.id);
    },
  };
}
