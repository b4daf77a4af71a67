import type { CallSummary, CallTranscript, Prisma } from "@prisma/client";
import type { Db } from "../store/db.js";

/** What the transcript and summary posts need of a call: where its post is, who called whom. */
export interface TranscriptCall {
  id: number;
  workspaceId: number;
  leadId: number;
  mode: string;
  status: string;
  toNumber: string;
  twilioSid: string | null;
  recordingSid: string | null;
  placedBy: string;
  slackChannel: string | null;
  slackTs: string | null;
  slackThreadTs: string | null;
  outcome: string | null;
  endedAt: Date | null;
  createdAt: Date;
  lead: { id: number; name: string; phone: string | null; state: string | null; zip: string | null };
}

const CALL_SELECT = {
  id: true,
  workspaceId: true,
  leadId: true,
  mode: true,
  status: true,
  toNumber: true,
  twilioSid: true,
  recordingSid: true,
  placedBy: true,
  slackChannel: true,
  slackTs: true,
  slackThreadTs: true,
  outcome: true,
  endedAt: true,
  createdAt: true,
  lead: { select: { id: true, name: true, phone: true, state: true, zip: true } },
} as const;

/** Every query of transcripts and summaries. Claims are conditional updates: one worker per row, on both engines. */
export interface TranscriptStore {
  call(callId: number): Promise<TranscriptCall | undefined>;
  /** The transcript row for a recorded call, written once (the unique call id); undefined when it existed. */
  request(input: {
    ws: number;
    callId: number;
    recordingSid: string;
    leadChannel: number;
    now: Date;
  }): Promise<CallTranscript | undefined>;
  /** Recorded calls of the last `since` with no transcript row (a crash between the recording and the row). */
  recordedWithout(
    since: Date,
    limit: number,
  ): Promise<{ id: number; workspaceId: number; recordingSid: string; mode: string }[]>;
  /** Takes up to `limit` transcripts due now, pushing their next look to `leaseUntil` (the claim). */
  claimTranscripts(now: Date, leaseUntil: Date, limit: number): Promise<CallTranscript[]>;
  updateTranscript(id: number, data: Prisma.CallTranscriptUpdateInput): Promise<void>;
  transcriptOf(callId: number): Promise<CallTranscript | undefined>;
  /** The summary row of a call, written once; undefined when it existed. */
  requestSummary(input: { ws: number; callId: number; now: Date }): Promise<CallSummary | undefined>;
  claimSummaries(now: Date, leaseUntil: Date, limit: number): Promise<CallSummary[]>;
  updateSummary(id: number, data: Prisma.CallSummaryUpdateInput): Promise<void>;
  summaryOf(callId: number): Promise<CallSummary | undefined>;
  summariesOfLead(ws: number, leadId: number): Promise<CallSummary[]>;
  /** Records the first suggested outcome applied from a summary card. */
  applied(callId: number, outcome: string): Promise<void>;
  /**
   * Transcripts whose words are due for deletion, and those whose Slack file could not be deleted yet
   * (tried again for `fileRetryMs` after the due date).
   */
  duePurges(now: Date, limit: number, fileRetryMs: number): Promise<CallTranscript[]>;
  /**
   * Deletes the words (the row stays, as a record that there was a transcript) and, when `fileGone`,
   * forgets the Slack file. True the first time only.
   */
  purge(id: number, now: Date, fileGone: boolean): Promise<boolean>;
  /** Summaries made in [from, to) with a suggested outcome, and those whose suggestion was applied. */
  suggestionCounts(ws: number, from: Date, to: Date, agentId?: string): Promise<{ suggested: number; applied: number }>;
}

export function createTranscriptStore(db: Db): TranscriptStore {
  const claim = async <T extends { id: number }>(rows: T[], take: (row: T) => Promise<number>): Promise<T[]> => {
    const claimed: T[] = [];
    for (const row of rows) if ((await take(row)) === 1) claimed.push(row);
    return claimed;
  };
  return {
    async call(callId) {
      return (await db.call.findUnique({ where: { id: callId }, select: CALL_SELECT })) ?? undefined;
    },
    async request({ ws, callId, recordingSid, leadChannel, now }) {
      try {
        return await db.callTranscript.create({
          data: { workspaceId: ws, callId, recordingSid, leadChannel, status: "requested", nextCheckAt: now },
        });
      } catch (error) {
        if ((error as { code?: string }).code === "P2002") return undefined;
        throw error;
      }
    },
    async recordedWithout(since, limit) {
      const rows = await db.call.findMany({
        where: { recordingSid: { not: null }, transcript: null, updatedAt: { gte: since } },
        select: { id: true, workspaceId: true, recordingSid: true, mode: true },
        take: limit,
      });
      return rows.map((row) => ({ ...row, recordingSid: row.recordingSid! }));
    },
    async claimTranscripts(now, leaseUntil, limit) {
      const due = await db.callTranscript.findMany({
        where: { status: { in: ["requested", "queued", "in-progress", "completed"] }, nextCheckAt: { lte: now } },
        orderBy: { nextCheckAt: "asc" },
        take: limit,
      });
      const claimed = await claim(
        due,
        async (row) =>
          (
            await db.callTranscript.updateMany({
              where: { id: row.id, nextCheckAt: row.nextCheckAt, status: row.status },
              data: { nextCheckAt: leaseUntil },
            })
          ).count,
      );
      return claimed;
    },
    async updateTranscript(id, data) {
      await db.callTranscript.update({ where: { id }, data });
    },
    async transcriptOf(callId) {
      return (await db.callTranscript.findUnique({ where: { callId } })) ?? undefined;
    },
    async requestSummary({ ws, callId, now }) {
      try {
        return await db.callSummary.create({
          data: { workspaceId: ws, callId, status: "pending", nextTryAt: now },
        });
      } catch (error) {
        if ((error as { code?: string }).code === "P2002") return undefined;
        throw error;
      }
    },
    async claimSummaries(now, leaseUntil, limit) {
      const due = await db.callSummary.findMany({
        where: { status: "pending", nextTryAt: { lte: now } },
        orderBy: { nextTryAt: "asc" },
        take: limit,
      });
      return claim(
        due,
        async (row) =>
          (
            await db.callSummary.updateMany({
              where: { id: row.id, nextTryAt: row.nextTryAt, status: "pending" },
              data: { nextTryAt: leaseUntil },
            })
          ).count,
      );
    },
    async updateSummary(id, data) {
      await db.callSummary.update({ where: { id }, data });
    },
    async summaryOf(callId) {
      return (await db.callSummary.findUnique({ where: { callId } })) ?? undefined;
    },
    async summariesOfLead(ws, leadId) {
      return db.callSummary.findMany({
        where: { workspaceId: ws, status: "done", call: { leadId } },
        orderBy: { createdAt: "desc" },
        take: 500,
      });
    },
    async applied(callId, outcome) {
      await db.callSummary.updateMany({ where: { callId, appliedOutcome: null }, data: { appliedOutcome: outcome } });
    },
    async duePurges(now, limit, fileRetryMs) {
      return db.callTranscript.findMany({
        where: {
          purgeAt: { lte: now },
          OR: [
            { purgedAt: null },
            { slackFileId: { not: null }, purgeAt: { gte: new Date(now.getTime() - fileRetryMs) } },
          ],
        },
        orderBy: { purgeAt: "asc" },
        take: limit,
      });
    },
    async purge(id, now, fileGone) {
      const forget = fileGone ? { slackFileId: null } : {};
      const done = await db.callTranscript.updateMany({
        where: { id, purgedAt: null },
        data: { sentences: null, purgedAt: now, ...forget },
      });
      if (done.count === 0 && fileGone) await db.callTranscript.updateMany({ where: { id }, data: forget });
      return done.count === 1;
    },
    async suggestionCounts(ws, from, to, agentId) {
      const where = {
        workspaceId: ws,
        createdAt: { gte: from, lt: to },
        suggestedOutcome: { not: null },
        ...(agentId ? { call: { placedBy: agentId } } : {}),
      };
      const [suggested, applied] = await Promise.all([
        db.callSummary.count({ where }),
        db.callSummary.count({ where: { ...where, appliedOutcome: { not: null } } }),
      ]);
      return { suggested, applied };
    },
  };
}
