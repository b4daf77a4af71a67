import type { Call, Lead } from "@prisma/client";
import type pg from "pg";
import { type CallFacts, factsOf, POSTGRES_FACTS_SQL, type Reader } from "../compliance/compliance-store.js";
import { BUMP_CALL_SQL } from "../crm/outbox-store.js";
import { retryBusy } from "../store/busy.js";
import { type DatabaseHandle, pooled, statements } from "../store/db.js";
import { type CallFactKind, type CallMode, FINAL_STATUSES } from "./modes.js";

export interface NewCall {
  workspaceId: number;
  lead: Pick<Lead, "id">;
  mode: CallMode;
  from: string;
  /** Why `from` is the caller ID (the caller-ID picker's rule). */
  callerIdRule?: string;
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

export type OpenResult =
  | { opened: Call }
  | { active: Call }
  /** This click or schedule already placed a call (a replay). */
  | { duplicateOrigin: Call }
  /** The lead's guard was freed between the insert and the lookup: try again. */
  | { raced: true };

type NoteInput = { leadId: number; author: string; body: string };

/**
 * The check a call row is written under: the facts the calling law judges (read with `facts` in the
 * guard's transaction, or on PostgreSQL in the guard's own statement), and the judgement, which
 * returns a value to block the call.
 */
export interface CallGate<B> {
  since: Date;
  facts(tx: Reader): Promise<CallFacts>;
  judge(facts: CallFacts): B | undefined;
}

/**
 * The call rows: the per-lead guard (a unique column set while a call lives), what Twilio answered,
 * facts, notes and outcomes. Status moves are status-store.ts's; the Slack post's state post-store.ts's.
 */
export interface CallStore {
  /**
   * Writes the call row, which is the per-lead guard, together with `gate`: the calling-law check reads
   * its facts (do-not-call list, consent, the last day's attempts) with the write, so what it saw is what
   * the call is placed on. SQLite: one transaction. PostgreSQL: one statement (one round trip) that
   * reads the facts and writes the row; a judgement that blocks removes the row again. A gate that
   * returns a value blocks (over "already calling", as before).
   */
  open<B>(call: NewCall, gate?: CallGate<B>): Promise<OpenResult | { blocked: B }>;
  /** Frees a guard left by a crash; true when this caller freed it. */
  releaseGuard(callId: number, leadId: number): Promise<boolean>;
  byId(id: number): Promise<Call | undefined>;
  bySid(sid: string): Promise<Call | undefined>;
  /** The workspace of the call with this SID (a fact that never changes, so it is remembered). */
  workspaceOfSid(sid: string): Promise<number | undefined>;
  /**
   * Twilio accepted the call: its SID and status, the "[Outbound Call]" note and the lead's last contact,
   * at once. The status is stored only over "dialing"/"unknown": a callback that came first already moved it.
   */
  recordPlaced(callId: number, sid: string, status: string, note: NoteInput, now: Date): Promise<Call>;
  recordFailed(callId: number, failure: { code?: number | null; message: string }, now: Date): Promise<void>;
  /** Twilio's error for a call that failed after it was placed (a callback's ErrorCode); kept once. */
  recordTwilioError(callId: number, failure: { code: number; message?: string }): Promise<boolean>;
  markUnknown(callId: number): Promise<void>;
  /** The call goes out from another caller ID (its first was refused and nothing was placed). */
  changeCallerId(callId: number, from: string, rule: string): Promise<Call>;
  /**
   * A signed callback named this call and its SID before Twilio's answer to the create was stored: the
   * SID is the call's (only while it has none). True when the call has this SID now.
   */
  adoptSid(callId: number, sid: string): Promise<boolean>;
  /** Of these SIDs, the ones another call row already owns. */
  knownSids(sids: string[]): Promise<Set<string>>;
  /** Fills answeredBy if unset (AMD can arrive before or after the status that ends the call). */
  setAnsweredBy(callId: number, answeredBy: string): Promise<void>;
  /** Records a fact once; true the first time. Bumps the post version so the post shows it. */
  addFact(callId: number, kind: CallFactKind): Promise<boolean>;
  hasFact(callId: number, kind: CallFactKind): Promise<boolean>;
  markVoicemailLeft(callId: number, note: { leadId: number; body: string }): Promise<void>;
  addNote(leadId: number, author: string, body: string): Promise<void>;
  /**
   * Stores a call's outcome with its note and audit row, in one transaction, only over `expected` (the
   * outcome the tapper saw: null for the first tap), so two taps at once record one outcome.
   */
  setOutcome(
    callId: number,
    change: { outcome: string; by: string; at: Date; expected: string | null },
    note: NoteInput,
    audit: { workspaceId: number; actor: string; action: string; detail: string },
  ): Promise<boolean>;
  /** Rows written before Twilio answered that never learned the answer (a crash, a double timeout). */
  unsettled(olderThan: Date): Promise<Call[]>;
  /** Calls Twilio accepted that have heard nothing for a while and that no poller holds. */
  quiet(olderThan: Date, now: Date): Promise<Call[]>;
  claimRecording(callSid: string, recordingSid: string): Promise<number | undefined>;
  setPrice(callId: number, price: { price: string; unit: string | null } | undefined, now: Date): Promise<void>;
  endedWithoutPrice(since: Date): Promise<number[]>;
}

export function createCallStore(database: DatabaseHandle): CallStore {
  const db = database.prisma;
  const { on } = statements(database);
  // Twilio posts several callbacks per call: the workspace each belongs to is looked up once.
  const workspaceBySid = new Map<string, number>();

  const insertCall = (call: NewCall) => ({
    workspaceId: call.workspaceId,
    leadId: call.lead.id,
    activeLeadId: call.lead.id,
    mode: call.mode,
    fromNumber: call.from,
    callerIdRule: call.callerIdRule,
    toNumber: call.to,
    agentNumber: call.agentNumber,
    status: call.status,
    placedBy: call.agentId,
    twilioSid: call.twilioSid,
    slackChannel: call.channel,
    slackThreadTs: call.threadTs,
    originKey: call.originKey,
  });

  /** Why the row could not be written (a unique column taken): the same click's call, the lead's live call. */
  const taken = async (call: NewCall): Promise<OpenResult> => {
    if (call.originKey) {
      const same = await db.call.findUnique({ where: { originKey: call.originKey } });
      if (same) return { duplicateOrigin: same };
    }
    const active = await db.call.findUnique({ where: { activeLeadId: call.lead.id } });
    if (active) return { active };
    // The guard was freed between the insert and the lookup: the caller tries again.
    return { raced: true };
  };
  const pool = database.postgres?.pool;
  const store: CallStore = {
    async open(call, gate) {
      const data = insertCall(call);
      if (gate && pool) return openInOneStatement(pool, call, gate, taken);
      try {
        if (!gate) return { opened: await db.call.create({ data }) };
        // SQLite: another process's write between the guard's read and its insert makes the snapshot stale
        // (SQLITE_BUSY_SNAPSHOT); the transaction was rolled back whole, so it is judged and tried again.
        return await retryBusy(() =>
          db.$transaction(async (tx) => {
            const blocked = gate.judge(await gate.facts(tx));
            if (blocked !== undefined) return { blocked };
            return { opened: await tx.call.create({ data }) };
          }),
        );
      } catch (error) {
        if ((error as { code?: string }).code !== "P2002") throw error;
        return taken(call);
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
    async recordPlaced(callId, sid, status, note, now) {
      return db.$transaction(async (tx) => {
        const inTx = on(tx);
        await inTx.write(
          `UPDATE "Call" SET "twilioSid" = ?, "postVersion" = "postVersion" + 1,
             "status" = CASE WHEN "status" IN ('dialing', 'unknown') THEN ? ELSE "status" END WHERE "id" = ?`,
          sid,
          status,
          callId,
        );
        const updated = await tx.call.findUniqueOrThrow({ where: { id: callId } });
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
          postVersion: { increment: 1 },
        },
      });
    },
    async recordTwilioError(callId, failure) {
      const { count } = await db.call.updateMany({
        where: { id: callId, errorCode: null },
        data: {
          errorCode: failure.code,
          errorMessage: failure.message?.slice(0, 500) ?? null,
          postVersion: { increment: 1 },
        },
      });
      return count === 1;
    },
    async changeCallerId(callId, from, rule) {
      return db.call.update({
        where: { id: callId },
        data: { fromNumber: from, callerIdRule: rule, postVersion: { increment: 1 } },
      });
    },
    async markUnknown(callId) {
      await db.call.update({ where: { id: callId }, data: { status: "unknown", postVersion: { increment: 1 } } });
    },
    async adoptSid(callId, sid) {
      await db.call.updateMany({ where: { id: callId, twilioSid: null }, data: { twilioSid: sid } });
      return (await db.call.findUnique({ where: { id: callId }, select: { twilioSid: true } }))?.twilioSid === sid;
    },
    async knownSids(sids) {
      if (sids.length === 0) return new Set();
      const found = await db.call.findMany({ where: { twilioSid: { in: sids } }, select: { twilioSid: true } });
      return new Set(found.map((row) => row.twilioSid!));
    },
    async setAnsweredBy(callId, answeredBy) {
      await db.call.updateMany({
        where: { id: callId, status: { notIn: [...FINAL_STATUSES] } },
        data: { answeredBy, postVersion: { increment: 1 } },
      });
    },
    async addFact(callId, kind) {
      try {
        await db.$transaction([
          db.callFact.create({ data: { callId, kind } }),
          db.call.update({ where: { id: callId }, data: { postVersion: { increment: 1 } } }),
        ]);
        return true;
      } catch (error) {
        if ((error as { code?: string }).code === "P2002") return false;
        throw error;
      }
    },
    async hasFact(callId, kind) {
      return (await db.callFact.count({ where: { callId, kind } })) > 0;
    },
    async markVoicemailLeft(callId, note) {
      await db.$transaction([
        db.call.update({ where: { id: callId }, data: { voicemailLeft: true, postVersion: { increment: 1 } } }),
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
          data: { outcome: change.outcome, outcomeBy: change.by, outcomeAt: change.at, postVersion: { increment: 1 } },
        });
        if (done.count === 0) return false;
        // A call already in the CRM outbox is logged again with the new outcome (its CRM record updated).
        await on(tx).write(BUMP_CALL_SQL, change.at, change.at, callId);
        await tx.note.create({ data: note });
        await tx.auditLog.create({ data: audit });
        return true;
      });
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
      const found = await db.call.findMany({
        where: { price: null, twilioSid: { not: null }, endedAt: { gt: since }, status: { in: [...FINAL_STATUSES] } },
        select: { id: true },
      });
      return found.map((row) => row.id);
    },
  };
  return store;
}

/**
 * PostgreSQL: the facts and the guard's row in one statement (one round trip). The facts are read from
 * the statement's snapshot (without the row it writes); a unique column already taken (the lead's live
 * call, the same click) writes nothing, and is looked up as before. The judgement runs here, on the facts:
 * a blocked call's row is removed at once, so it never guards, counts as an attempt or shows.
 */
const POSTGRES_OPEN = `WITH f AS (${POSTGRES_FACTS_SQL}),
  ins AS (
    INSERT INTO "Call" ("workspaceId", "leadId", "activeLeadId", "mode", "fromNumber", "toNumber", "agentNumber",
      "status", "placedBy", "twilioSid", "slackChannel", "slackThreadTs", "originKey", "createdAt", "updatedAt", "callerIdRule")
    VALUES ($1, $3, $3, $5, $6, $2, $7, $8, $9, $10, $11, $12, $13, $14::timestamp(3), $14::timestamp(3), $15)
    ON CONFLICT DO NOTHING
    RETURNING *)
  SELECT f."dnc", f."scopes", f."attempts", f."textAttempts", f."resumed", ins.* FROM f LEFT JOIN ins ON true`;

async function openInOneStatement<B>(
  pool: pg.Pool,
  call: NewCall,
  gate: CallGate<B>,
  taken: (call: NewCall) => Promise<OpenResult>,
): Promise<OpenResult | { blocked: B }> {
  const { rows } = await pooled(pool, POSTGRES_OPEN, [
    call.workspaceId,
    call.to,
    call.lead.id,
    gate.since.toISOString(),
    call.mode,
    call.from,
    call.agentNumber ?? null,
    call.status,
    call.agentId,
    call.twilioSid ?? null,
    call.channel ?? null,
    call.threadTs ?? null,
    call.originKey ?? null,
    new Date().toISOString(),
    call.callerIdRule ?? null,
  ]);
  const { dnc, scopes, attempts, textAttempts, resumed, ...row } = rows[0] as {
    dnc: unknown;
    scopes: string | null;
    attempts: string | null;
    textAttempts: string | null;
    resumed: unknown;
  } & Call;
  const blocked = gate.judge(factsOf({ dnc, scopes, attempts, textAttempts, resumed }));
  const opened = row.id === null ? undefined : ({ ...row, price: null } as Call);
  if (blocked !== undefined) {
    if (opened) await pooled(pool, `DELETE FROM "Call" WHERE "id" = $1`, [opened.id]);
    return { blocked };
  }
  return opened ? { opened } : taken(call);
}
