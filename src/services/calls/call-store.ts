import type { BrowserLink, Call, Lead } from "@prisma/client";
import type Database from "better-sqlite3";
import type { Reader } from "../compliance/compliance-store.js";
import { type DatabaseHandle, type Db, sqliteDate, statements } from "../store/db.js";
import { type CallFactKind, type CallMode, FINAL_STATUSES } from "./modes.js";

/** How Prisma stores a DateTime in SQLite, so rows written here read back the same through Prisma. */

/** A status change as the store writes it: what Twilio said, and what the lifecycle decided about it. */
export interface StatusWrite {
  callSid: string;
  status: string;
  sequence?: number;
  rawTimestamp?: string;
  durationSec?: number;
  answeredBy?: string;
  /** The statuses this one moves a call forward from; undefined for a status that is only recorded. */
  movesFrom?: string[];
  final: boolean;
  now: Date;
}

export type StatusWriteResult =
  | { outcome: "unknown-call" }
  /** The event was recorded; `filled` when it also filled in who answered (the line shows that). */
  | { outcome: "recorded"; callId: number; filled?: boolean }
  | { outcome: "moved"; callId: number }
  /**
   * A live call's SID is the agent's leg: its event is recorded and the agent leg moved forward in the
   * same write (`moved`); undefined `moved` when only the event was recorded (the lifecycle moves it).
   */
  | { outcome: "agent-leg"; callId: number; moved?: boolean };

export interface NewCall {
  workspaceId: number;
  lead: Pick<Lead, "id">;
  mode: CallMode;
  from: string;
  to: string;
  /** Live calls: the agent's phone, which Twilio rings first. */
  agentNumber?: string;
  agentId: string;
  status: string;
  twilioSid?: string;
  channel?: string;
  threadTs?: string;
  originKey?: string;
}

/** What a call's channel line is rendered from. */
export type CallLine = Call & { lead: Pick<Lead, "id" | "name">; facts: CallFactKind[] };

export type OpenResult =
  | { opened: Call }
  | { active: Call }
  /** This click or schedule already placed a call (a replay). */
  | { duplicateOrigin: Call }
  /** The lead's guard was freed between the insert and the lookup: try again. */
  | { raced: true };

/**
 * Every query of the calls domain. The status write has a fast path on SQLite (one synchronous
 * transaction on a dedicated connection that never waits for a lock) and the same write through
 * the ORM when that connection finds the database busy.
 */
export interface CallStore {
  /**
   * Writes the call row, which is the per-lead guard, in one transaction with `gate`: the calling-law
   * check reads its facts (do-not-call list, consent, the last day's attempts) in the same
   * transaction, so what it saw is what the call is placed on. A gate that returns a value blocks.
   */
  open<B>(call: NewCall, gate?: (tx: Reader) => Promise<B | undefined>): Promise<OpenResult | { blocked: B }>;
  /** Frees a guard left by a crash; true when this caller freed it. */
  releaseGuard(callId: number, leadId: number): Promise<boolean>;
  byId(id: number): Promise<Call | undefined>;
  bySid(sid: string): Promise<Call | undefined>;
  /** The workspace of the call with this SID (a fact that never changes, so it is remembered). */
  workspaceOfSid(sid: string): Promise<number | undefined>;
  withLead(id: number): Promise<(Call & { lead: Lead }) | undefined>;
  /** Twilio accepted the call: its SID and status, the "[Outbound Call]" note and the lead's last contact, at once. */
  recordPlaced(
    callId: number,
    sid: string,
    status: string,
    note: { leadId: number; author: string; body: string },
    now: Date,
  ): Promise<Call>;
  recordFailed(callId: number, failure: { code?: number | null; message: string }, now: Date): Promise<void>;
  markUnknown(callId: number): Promise<void>;
  /** Of these SIDs, the ones another call row already owns. */
  knownSids(sids: string[]): Promise<Set<string>>;
  applyStatus(write: StatusWrite): Promise<StatusWriteResult>;
  /** A live call's agent leg moves forward (its own status); returns the call after the write. */
  applyAgentLeg(
    callId: number,
    status: string,
    movesFrom: string[],
    now: Date,
  ): Promise<{ moved: boolean; call: Call }>;
  /**
   * A live call's lead leg (the Dial's Number): its status moves the call forward, by the call's id;
   * the first callback records the leg's SID and no other leg may move the call.
   */
  applyLeadLeg(callId: number, legSid: string, write: Omit<StatusWrite, "callSid">): Promise<StatusWriteResult>;
  /** A live call ended before the lead was dialed (the agent never answered, or hung up first). */
  endUndialed(callId: number, now: Date): Promise<boolean>;
  /** Fills answeredBy if unset (AMD can arrive before or after the status that ends the call). */
  setAnsweredBy(callId: number, answeredBy: string): Promise<void>;
  /** Records a fact once; true the first time. Bumps the line version so the line shows it. */
  addFact(callId: number, kind: CallFactKind): Promise<boolean>;
  markVoicemailLeft(callId: number, note: { leadId: number; body: string }): Promise<void>;
  addNote(leadId: number, author: string, body: string): Promise<void>;
  /**
   * Stores a call's outcome with its note and audit row, in one transaction, only over `expected` (the
   * outcome the tapper saw: null for the first tap), so two taps at once record one outcome.
   */
  setOutcome(
    callId: number,
    change: { outcome: string; by: string; at: Date; expected: string | null },
    note: { leadId: number; author: string; body: string },
    audit: { workspaceId: number; actor: string; action: string; detail: string },
  ): Promise<boolean>;
  /** Line editing: one editor per call across instances (a lease), and the version it showed. */
  takeLineLock(callId: number, owner: string, until: Date, now: Date): Promise<boolean>;
  releaseLineLock(callId: number, owner: string): Promise<void>;
  line(callId: number): Promise<CallLine | undefined>;
  /** Whether the call's line needs an editor, without reading the line itself (the call row alone). */
  lineNeeds(callId: number): Promise<"nothing" | "post" | "edit">;
  linePosted(callId: number, where: { channel: string; ts: string } | undefined, version: number): Promise<void>;
  lineShown(callId: number, version: number): Promise<void>;
  /** Calls placed whose line was never posted (a crash between Twilio's answer and the post). */
  unpostedLines(olderThan: Date): Promise<number[]>;
  /** Posted lines showing an older version than the call's, with no live editor (one died mid-edit). */
  behindLines(since: Date, now: Date): Promise<number[]>;
  /** Rows written before Twilio answered that never learned the answer (a crash, a double timeout). */
  unsettled(olderThan: Date): Promise<Call[]>;
  /** Calls Twilio accepted that have heard nothing for a while and that no poller holds. */
  quiet(olderThan: Date, now: Date): Promise<Call[]>;
  /** Marks a call as looked at now (its updatedAt), so the sweep asks about it again later, not at once. */
  touch(callId: number): Promise<void>;
  claimRecording(callSid: string, recordingSid: string): Promise<number | undefined>;
  setPrice(callId: number, price: { price: string; unit: string | null } | undefined, now: Date): Promise<void>;
  endedWithoutPrice(since: Date): Promise<number[]>;
  agentPhone(ws: number, agentId: string): Promise<string | undefined>;
  setAgentPhone(ws: number, agentId: string, phone: string): Promise<void>;
  /** Browser-phone links: single use, bound to one user and lead of one workspace. */
  createLink(link: Omit<BrowserLink, "createdAt" | "usedAt" | "sessionHash" | "sessionExpiresAt">): Promise<void>;
  /** Uses a link once (race-safe: only one request flips usedAt); undefined when used, expired or unknown. */
  claimLink(id: string, now: Date, sessionHash: string, sessionExpiresAt: Date): Promise<BrowserLink | undefined>;
  linkById(id: string): Promise<BrowserLink | undefined>;
  linkBySession(sessionHash: string): Promise<BrowserLink | undefined>;
  /** Poll leases: one poller per call across instances. */
  claimPoll(callId: number, now: Date, until: Date): Promise<boolean>;
  extendPoll(callId: number, until: Date): Promise<void>;
  releasePolls(callIds: number[]): Promise<void>;
  openPollable(since: Date): Promise<number[]>;
}

export function createCallStore(database: DatabaseHandle): CallStore {
  const db = database.prisma;
  const { write, rows, on } = statements(database);
  const fast = database.sqlite
    ? createSqliteStatusWrite(database.sqlite.writer)
    : createPostgresStatusWrite(database.prisma);

  // Twilio posts several callbacks per call: the workspace each belongs to is looked up once.
  const workspaceBySid = new Map<string, number>();

  const applyWithOrm = async (write: StatusWrite): Promise<StatusWriteResult> => {
    const call = await db.call.findUnique({ where: { twilioSid: write.callSid } });
    if (!call) return { outcome: "unknown-call" };
    await db.callEvent.create({
      data: {
        callId: call.id,
        status: write.status,
        sequenceNumber: write.sequence ?? null,
        rawTimestamp: write.rawTimestamp ?? null,
        createdAt: write.now,
      },
    });
    if (call.mode === "live") return { outcome: "agent-leg", callId: call.id };
    if (!write.movesFrom) return { outcome: "recorded", callId: call.id };
    // A conditional update: of many concurrent callbacks, only the one that moves the call forward wins.
    const moved = await db.call.updateMany({
      where: { id: call.id, status: { in: write.movesFrom } },
      data: {
        status: write.status,
        lineVersion: { increment: 1 },
        ...(write.sequence !== undefined ? { lastSequence: write.sequence } : {}),
        ...(write.answeredBy ? { answeredBy: write.answeredBy } : {}),
        ...(write.final ? { endedAt: write.now, activeLeadId: null, durationSec: write.durationSec ?? 0 } : {}),
      },
    });
    if (moved.count > 0) return { outcome: "moved", callId: call.id };
    if (write.answeredBy && !call.answeredBy) {
      const filled = await db.call.updateMany({
        where: { id: call.id, answeredBy: null },
        data: { answeredBy: write.answeredBy, lineVersion: { increment: 1 } },
      });
      return { outcome: "recorded", callId: call.id, filled: filled.count > 0 };
    }
    return { outcome: "recorded", callId: call.id };
  };

  const store: CallStore = {
    async open(call, gate) {
      const data = {
        workspaceId: call.workspaceId,
        leadId: call.lead.id,
        activeLeadId: call.lead.id,
        mode: call.mode,
        fromNumber: call.from,
        toNumber: call.to,
        agentNumber: call.agentNumber,
        status: call.status,
        placedBy: call.agentId,
        twilioSid: call.twilioSid,
        slackChannel: call.channel,
        slackThreadTs: call.threadTs,
        originKey: call.originKey,
      };
      try {
        if (!gate) return { opened: await db.call.create({ data }) };
        return await db.$transaction(async (tx) => {
          const blocked = await gate(tx);
          if (blocked !== undefined) return { blocked };
          return { opened: await tx.call.create({ data }) };
        });
      } catch (error) {
        if ((error as { code?: string }).code !== "P2002") throw error;
        if (call.originKey) {
          const same = await db.call.findUnique({ where: { originKey: call.originKey } });
          if (same) return { duplicateOrigin: same };
        }
        const active = await db.call.findUnique({ where: { activeLeadId: call.lead.id } });
        if (active) return { active };
        // The guard was freed between the insert and the lookup: the caller tries again.
        return { raced: true };
      }
    },
    async releaseGuard(callId, leadId) {
      const freed = await db.call.updateMany({
        where: { id: callId, activeLeadId: leadId },
        data: { activeLeadId: null },
      });
      return freed.count === 1;
    },
    async byId(id) {
      return (await db.call.findUnique({ where: { id } })) ?? undefined;
    },
    async bySid(sid) {
      return (await db.call.findUnique({ where: { twilioSid: sid } })) ?? undefined;
    },
    async workspaceOfSid(sid) {
      const known = workspaceBySid.get(sid);
      if (known !== undefined) return known;
      const found = await db.call.findUnique({ where: { twilioSid: sid }, select: { workspaceId: true } });
      if (!found) return undefined;
      if (workspaceBySid.size >= 10_000) workspaceBySid.delete(workspaceBySid.keys().next().value!);
      workspaceBySid.set(sid, found.workspaceId);
      return found.workspaceId;
    },
    async withLead(id) {
      return (await db.call.findUnique({ where: { id }, include: { lead: true } })) ?? undefined;
    },
    async recordPlaced(callId, sid, status, note, now) {
      return db.$transaction(async (tx) => {
        const updated = await tx.call.update({
          where: { id: callId },
          data: { twilioSid: sid, status, lineVersion: { increment: 1 } },
        });
        const inTx = on(tx);
        await inTx.write(
          `INSERT INTO "Note" ("leadId", "author", "body", "createdAt") VALUES (?, ?, ?, ?::timestamp(3))`,
          note.leadId,
          note.author,
          note.body,
          now,
        );
        await inTx.write(
          `UPDATE "Lead" SET "lastContactedAt" = ?::timestamp(3), "updatedAt" = ?::timestamp(3) WHERE "id" = ?`,
          now,
          now,
          note.leadId,
        );
        return updated;
      });
    },
    async recordFailed(callId, failure, now) {
      await db.call.update({
        where: { id: callId },
        data: {
          status: "failed",
          activeLeadId: null,
          errorCode: failure.code ?? null,
          errorMessage: failure.message.slice(0, 500),
          endedAt: now,
          lineVersion: { increment: 1 },
        },
      });
    },
    async markUnknown(callId) {
      await db.call.update({ where: { id: callId }, data: { status: "unknown", lineVersion: { increment: 1 } } });
    },
    async knownSids(sids) {
      if (sids.length === 0) return new Set();
      const rows = await db.call.findMany({ where: { twilioSid: { in: sids } }, select: { twilioSid: true } });
      return new Set(rows.map((row) => row.twilioSid!));
    },
    async applyStatus(write) {
      const result = await fast(write);
      if (result !== "busy") return result;
      return applyWithOrm(write);
    },
    async applyAgentLeg(callId, status, movesFrom, now) {
      const moved = await db.call.updateMany({
        where: {
          id: callId,
          OR: [{ agentLegStatus: null }, { agentLegStatus: { in: movesFrom } }],
        },
        data: { agentLegStatus: status, lineVersion: { increment: 1 }, updatedAt: now },
      });
      return { moved: moved.count > 0, call: await db.call.findUniqueOrThrow({ where: { id: callId } }) };
    },
    async applyLeadLeg(callId, legSid, write) {
      const call = await db.call.findUnique({ where: { id: callId } });
      if (!call || (call.leadLegSid && call.leadLegSid !== legSid)) return { outcome: "unknown-call" };
      await db.callEvent.create({
        data: {
          callId,
          status: `lead:${write.status}`,
          sequenceNumber: write.sequence ?? null,
          rawTimestamp: write.rawTimestamp ?? null,
          createdAt: write.now,
        },
      });
      if (!write.movesFrom) return { outcome: "recorded", callId };
      const moved = await db.call.updateMany({
        where: {
          id: callId,
          status: { in: write.movesFrom },
          OR: [{ leadLegSid: null }, { leadLegSid: legSid }],
        },
        data: {
          status: write.status,
          leadLegSid: legSid,
          lineVersion: { increment: 1 },
          ...(write.answeredBy ? { answeredBy: write.answeredBy } : {}),
          ...(write.final ? { endedAt: write.now, activeLeadId: null, durationSec: write.durationSec ?? 0 } : {}),
        },
      });
      if (moved.count === 0 && !call.leadLegSid) {
        await db.call.updateMany({ where: { id: callId, leadLegSid: null }, data: { leadLegSid: legSid } });
      }
      return moved.count > 0 ? { outcome: "moved", callId } : { outcome: "recorded", callId };
    },
    async endUndialed(callId, now) {
      const ended = await db.call.updateMany({
        // Whatever the row says (a reconcile may have stored the agent leg's status), no lead leg = nobody dialled.
        where: { id: callId, leadLegSid: null, status: { notIn: [...FINAL_STATUSES] } },
        data: { status: "canceled", endedAt: now, activeLeadId: null, durationSec: 0, lineVersion: { increment: 1 } },
      });
      return ended.count > 0;
    },
    async setAnsweredBy(callId, answeredBy) {
      await db.call.updateMany({
        where: { id: callId, status: { notIn: [...FINAL_STATUSES] } },
        data: { answeredBy, lineVersion: { increment: 1 } },
      });
    },
    async addFact(callId, kind) {
      try {
        await db.$transaction([
          db.callFact.create({ data: { callId, kind } }),
          db.call.update({ where: { id: callId }, data: { lineVersion: { increment: 1 } } }),
        ]);
        return true;
      } catch (error) {
        if ((error as { code?: string }).code === "P2002") return false;
        throw error;
      }
    },
    async markVoicemailLeft(callId, note) {
      await db.$transaction([
        db.call.update({ where: { id: callId }, data: { voicemailLeft: true, lineVersion: { increment: 1 } } }),
        db.note.create({ data: { leadId: note.leadId, author: "Leadline", body: note.body } }),
      ]);
    },
    async addNote(leadId, author, body) {
      await db.note.create({ data: { leadId, author, body } });
    },
    async setOutcome(callId, change, note, audit) {
      return db.$transaction(async (tx) => {
        const done = await tx.call.updateMany({
          where: { id: callId, outcome: change.expected },
          data: { outcome: change.outcome, outcomeBy: change.by, outcomeAt: change.at, lineVersion: { increment: 1 } },
        });
        if (done.count === 0) return false;
        await tx.note.create({ data: note });
        await tx.auditLog.create({ data: audit });
        return true;
      });
    },
    async takeLineLock(callId, owner, until, now) {
      const taken = await write(
        `UPDATE "Call" SET "lineLock" = ?, "lineLockUntil" = ?::timestamp(3)
          WHERE "id" = ? AND ("lineLock" IS NULL OR "lineLockUntil" < ?::timestamp(3))`,
        owner,
        until,
        callId,
        now,
      );
      return taken === 1;
    },
    async releaseLineLock(callId, owner) {
      await write(
        `UPDATE "Call" SET "lineLock" = NULL, "lineLockUntil" = NULL WHERE "id" = ? AND "lineLock" = ?`,
        callId,
        owner,
      );
    },
    async line(callId) {
      const call = await db.call.findUnique({
        where: { id: callId },
        include: { lead: { select: { id: true, name: true } }, facts: { orderBy: { id: "asc" } } },
      });
      if (!call) return undefined;
      return { ...call, facts: call.facts.map((fact) => fact.kind as CallFactKind) };
    },
    async lineNeeds(callId) {
      const [call] = await rows<{
        lineState: string;
        lineShown: unknown;
        lineVersion: unknown;
        slackChannel: string | null;
        slackTs: string | null;
      }>(
        `SELECT "lineState", "lineShown", "lineVersion", "slackChannel", "slackTs" FROM "Call" WHERE "id" = ?`,
        callId,
      );
      if (!call || call.lineState === "none") return "nothing";
      if (call.lineState === "pending") return "post";
      return Number(call.lineShown) < Number(call.lineVersion) && call.slackChannel && call.slackTs
        ? "edit"
        : "nothing";
    },
    async linePosted(callId, where, version) {
      if (where)
        await write(
          `UPDATE "Call" SET "slackChannel" = ?, "slackTs" = ?, "lineState" = 'posted', "lineShown" = ? WHERE "id" = ?`,
          where.channel,
          where.ts,
          version,
          callId,
        );
      else await write(`UPDATE "Call" SET "lineState" = 'none', "lineShown" = ? WHERE "id" = ?`, version, callId);
    },
    async lineShown(callId, version) {
      await write(`UPDATE "Call" SET "lineShown" = ? WHERE "id" = ? AND "lineShown" < ?`, version, callId, version);
    },
    async unpostedLines(olderThan) {
      const rows = await db.call.findMany({
        where: { lineState: "pending", twilioSid: { not: null }, createdAt: { lt: olderThan } },
        select: { id: true },
        take: 100,
      });
      return rows.map((row) => row.id);
    },
    async behindLines(since, now) {
      const rows = await db.call.findMany({
        where: {
          updatedAt: { gt: since },
          slackTs: { not: null },
          lineShown: { lt: db.call.fields.lineVersion },
          OR: [{ lineLock: null }, { lineLockUntil: { lt: now } }],
        },
        select: { id: true },
        take: 100,
      });
      return rows.map((row) => row.id);
    },
    async unsettled(olderThan) {
      return db.call.findMany({
        where: { status: { in: ["dialing", "unknown"] }, twilioSid: null, createdAt: { lt: olderThan } },
        orderBy: { id: "asc" },
        take: 100,
      });
    },
    async quiet(olderThan, now) {
      return db.call.findMany({
        where: {
          twilioSid: { not: null },
          status: { notIn: [...FINAL_STATUSES, "dialing", "unknown"] },
          updatedAt: { lt: olderThan },
          OR: [{ pollLeaseUntil: null }, { pollLeaseUntil: { lt: now } }],
        },
        orderBy: { updatedAt: "asc" },
        take: 100,
      });
    },
    async touch(callId) {
      await db.call.update({ where: { id: callId }, data: { updatedAt: new Date() } });
    },
    async claimRecording(callSid, recordingSid) {
      const call = await db.call.findUnique({ where: { twilioSid: callSid } });
      if (!call) return undefined;
      const claimed = await db.call.updateMany({ where: { id: call.id, recordingSid: null }, data: { recordingSid } });
      return claimed.count === 1 ? call.id : undefined;
    },
    async setPrice(callId, price, now) {
      await db.call.update({
        where: { id: callId },
        data: price ? { price: price.price, priceUnit: price.unit, priceCheckedAt: now } : { priceCheckedAt: now },
      });
    },
    async endedWithoutPrice(since) {
      const rows = await db.call.findMany({
        where: { price: null, twilioSid: { not: null }, endedAt: { gt: since }, status: { in: [...FINAL_STATUSES] } },
        select: { id: true },
      });
      return rows.map((row) => row.id);
    },
    async agentPhone(ws, agentId) {
      const [found] = await rows<{ phone: string }>(
        `SELECT "phone" FROM "AgentSetting" WHERE "workspaceId" = ? AND "slackUserId" = ?`,
        ws,
        agentId,
      );
      return found?.phone;
    },
    async setAgentPhone(ws, agentId, phone) {
      await db.agentSetting.upsert({
        where: { workspaceId_slackUserId: { workspaceId: ws, slackUserId: agentId } },
        create: { workspaceId: ws, slackUserId: agentId, phone },
        update: { phone },
      });
    },
    async createLink(link) {
      await db.browserLink.create({ data: link });
    },
    async claimLink(id, now, sessionHash, sessionExpiresAt) {
      const claimed = await db.browserLink.updateMany({
        where: { id, usedAt: null, expiresAt: { gt: now } },
        data: { usedAt: now, sessionHash, sessionExpiresAt },
      });
      if (claimed.count !== 1) return undefined;
      return (await db.browserLink.findUnique({ where: { id } })) ?? undefined;
    },
    async linkById(id) {
      return (await db.browserLink.findUnique({ where: { id } })) ?? undefined;
    },
    async linkBySession(sessionHash) {
      return (await db.browserLink.findUnique({ where: { sessionHash } })) ?? undefined;
    },
    async claimPoll(callId, now, until) {
      const claimed = await db.call.updateMany({
        where: { id: callId, OR: [{ pollLeaseUntil: null }, { pollLeaseUntil: { lt: now } }] },
        data: { pollLeaseUntil: until },
      });
      return claimed.count === 1;
    },
    async extendPoll(callId, until) {
      await db.call.updateMany({ where: { id: callId }, data: { pollLeaseUntil: until } });
    },
    async releasePolls(callIds) {
      if (callIds.length > 0)
        await db.call.updateMany({ where: { id: { in: callIds } }, data: { pollLeaseUntil: null } });
    },
    async openPollable(since) {
      const rows = await db.call.findMany({
        where: { twilioSid: { not: null }, status: { notIn: [...FINAL_STATUSES] }, createdAt: { gt: since } },
        select: { id: true },
      });
      return rows.map((row) => row.id);
    },
  };
  return store;
}

/**
 * The status-callback write as one synchronous SQLite transaction: record the event and move the
 * call forward only from a lower status, in tens of microseconds instead of four ORM round trips.
 * The connection never waits for a lock (busy_timeout 0): waiting synchronously would block the
 * event loop that an ORM transaction holding the lock needs to finish. "busy" sends the write to the ORM.
 */
function createSqliteStatusWrite(writer: Database.Database): (write: StatusWrite) => StatusWriteResult | "busy" {
  const findCall = writer.prepare(`SELECT "id", "answeredBy", "mode" FROM "Call" WHERE "twilioSid" = ?`);
  const insertEvent = writer.prepare(
    `INSERT INTO "CallEvent" ("callId", "status", "sequenceNumber", "rawTimestamp", "createdAt") VALUES (?, ?, ?, ?, ?)`,
  );
  const move = writer.prepare(
    `UPDATE "Call" SET "status" = @status,
       "lastSequence" = COALESCE(@sequence, "lastSequence"),
       "answeredBy" = COALESCE(@answeredBy, "answeredBy"),
       "lineVersion" = "lineVersion" + 1,
       "updatedAt" = @now,
       "endedAt" = CASE WHEN @final THEN @now ELSE "endedAt" END,
       "activeLeadId" = CASE WHEN @final THEN NULL ELSE "activeLeadId" END,
       "durationSec" = CASE WHEN @final THEN @duration ELSE "durationSec" END
     WHERE "id" = @id AND "status" IN (SELECT value FROM json_each(@from))`,
  );
  const fillAnsweredBy = writer.prepare(
    `UPDATE "Call" SET "answeredBy" = ?, "lineVersion" = "lineVersion" + 1, "updatedAt" = ? WHERE "id" = ? AND "answeredBy" IS NULL`,
  );
  const moveAgentLeg = writer.prepare(
    `UPDATE "Call" SET "agentLegStatus" = @status, "lineVersion" = "lineVersion" + 1, "updatedAt" = @now
     WHERE "id" = @id AND ("agentLegStatus" IS NULL OR "agentLegStatus" IN (SELECT value FROM json_each(@from)))`,
  );

  const apply = writer.transaction((write: StatusWrite): StatusWriteResult => {
    const call = findCall.get(write.callSid) as { id: number; answeredBy: string | null; mode: string } | undefined;
    if (!call) return { outcome: "unknown-call" };
    const now = sqliteDate(write.now);
    insertEvent.run(call.id, write.status, write.sequence ?? null, write.rawTimestamp ?? null, now);
    if (call.mode === "live") {
      if (!write.movesFrom) return { outcome: "agent-leg", callId: call.id, moved: false };
      const leg = moveAgentLeg.run({ id: call.id, status: write.status, now, from: JSON.stringify(write.movesFrom) });
      return { outcome: "agent-leg", callId: call.id, moved: leg.changes > 0 };
    }
    if (!write.movesFrom) return { outcome: "recorded", callId: call.id };
    const moved = move.run({
      id: call.id,
      status: write.status,
      sequence: write.sequence ?? null,
      answeredBy: write.answeredBy ?? null,
      now,
      final: write.final ? 1 : 0,
      duration: write.durationSec ?? 0,
      from: JSON.stringify(write.movesFrom),
    });
    if (moved.changes > 0) return { outcome: "moved", callId: call.id };
    if (write.answeredBy && !call.answeredBy) {
      const filled = fillAnsweredBy.run(write.answeredBy, now, call.id);
      return { outcome: "recorded", callId: call.id, filled: filled.changes > 0 };
    }
    return { outcome: "recorded", callId: call.id };
  });

  return (write) => {
    try {
      // IMMEDIATE takes the write lock up front, so a busy database is found before anything is written.
      return apply.immediate(write);
    } catch (error) {
      if ((error as { code?: string }).code === "SQLITE_BUSY") return "busy";
      throw error;
    }
  };
}

/**
 * The same write on PostgreSQL in one round trip: find the call, record the event and move the call
 * forward only from a lower status. Concurrent callbacks for one call queue on its row lock, and the
 * second re-checks the status it would move from (READ COMMITTED), so a call never moves backwards.
 */
function createPostgresStatusWrite(db: Db): (write: StatusWrite) => Promise<StatusWriteResult> {
  const sql = `WITH c AS (SELECT "id", "answeredBy", "mode" FROM "Call" WHERE "twilioSid" = $1),
    ev AS (
      INSERT INTO "CallEvent" ("callId", "status", "sequenceNumber", "rawTimestamp", "createdAt")
      SELECT c."id", $2, $3::int, $4::text, $5::timestamp(3) FROM c RETURNING 1),
    mv AS (
      UPDATE "Call" SET "status" = $2,
        "lastSequence" = COALESCE($3::int, "lastSequence"),
        "answeredBy" = COALESCE($6::text, "answeredBy"),
        "lineVersion" = "lineVersion" + 1,
        "updatedAt" = $5::timestamp(3),
        "endedAt" = CASE WHEN $7::boolean THEN $5::timestamp(3) ELSE "endedAt" END,
        "activeLeadId" = CASE WHEN $7::boolean THEN NULL ELSE "activeLeadId" END,
        "durationSec" = CASE WHEN $7::boolean THEN $8::int ELSE "durationSec" END
      WHERE "id" = (SELECT "id" FROM c) AND "mode" <> 'live' AND $9::text <> ''
        AND "status" = ANY(string_to_array($9::text, ','))
      RETURNING "id"),
    ag AS (
      UPDATE "Call" SET "agentLegStatus" = $2, "lineVersion" = "lineVersion" + 1, "updatedAt" = $5::timestamp(3)
      WHERE "id" = (SELECT "id" FROM c) AND "mode" = 'live' AND $9::text <> ''
        AND ("agentLegStatus" IS NULL OR "agentLegStatus" = ANY(string_to_array($9::text, ',')))
      RETURNING "id")
    SELECT (SELECT "id" FROM c) AS "callId", (SELECT "answeredBy" FROM c) AS "answeredBy", (SELECT "mode" FROM c) AS "mode",
      (SELECT "id" FROM mv) AS "moved", (SELECT "id" FROM ag) AS "legMoved", (SELECT count(*) FROM ev) AS "events"`;
  return async (write) => {
    const now = write.now.toISOString();
    const [row] = await db.$queryRawUnsafe<
      {
        callId: number | null;
        answeredBy: string | null;
        mode: string | null;
        moved: number | null;
        legMoved: number | null;
        events: bigint | number;
      }[]
    >(
      sql,
      write.callSid,
      write.status,
      write.sequence ?? null,
      write.rawTimestamp ?? null,
      now,
      write.answeredBy ?? null,
      write.final,
      write.durationSec ?? 0,
      write.movesFrom?.join(",") ?? "",
    );
    if (!row || row.callId === null) return { outcome: "unknown-call" };
    const callId = Number(row.callId);
    if (row.mode === "live") return { outcome: "agent-leg", callId, moved: row.legMoved !== null };
    if (row.moved !== null) return { outcome: "moved", callId };
    if (write.movesFrom && write.answeredBy && !row.answeredBy) {
      const filled = await db.call.updateMany({
        where: { id: callId, answeredBy: null },
        data: { answeredBy: write.answeredBy, lineVersion: { increment: 1 } },
      });
      return { outcome: "recorded", callId, filled: filled.count > 0 };
    }
    return { outcome: "recorded", callId };
  };
}
