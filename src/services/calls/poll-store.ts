import { type DatabaseHandle, statements } from "../store/db.js";
import { FINAL_STATUSES } from "./modes.js";

/** Leases on calls being polled or swept: one instance works on a call at a time. */
export interface PollLeaseStore {
  claim(callId: number, now: Date, until: Date): Promise<boolean>;
  extend(callId: number, until: Date): Promise<void>;
  release(callIds: number[]): Promise<void>;
  /** Calls Twilio accepted, not final, created since: the ones a poller may pick up after a restart. */
  open(since: Date): Promise<number[]>;
}

export function createPollLeaseStore(database: DatabaseHandle): PollLeaseStore {
  const db = database.prisma;
  const { write } = statements(database);
  return {
    async claim(callId, now, until) {
      const claimed = await write(
        `UPDATE "Call" SET "pollLeaseUntil" = ?::timestamp(3) WHERE "id" = ? AND ("pollLeaseUntil" IS NULL OR "pollLeaseUntil" < ?::timestamp(3))`,
        until,
        callId,
        now,
      );
      return claimed === 1;
    },
    async extend(callId, until) {
      await write(`UPDATE "Call" SET "pollLeaseUntil" = ?::timestamp(3) WHERE "id" = ?`, until, callId);
    },
    async release(callIds) {
      if (callIds.length > 0)
        await db.call.updateMany({ where: { id: { in: callIds } }, data: { pollLeaseUntil: null } });
    },
    async open(since) {
      const found = await db.call.findMany({
        where: { twilioSid: { not: null }, status: { notIn: [...FINAL_STATUSES] }, createdAt: { gt: since } },
        select: { id: true },
      });
      return found.map((row) => row.id);
    },
  };
}
