import type { Text } from "@prisma/client";
import { enqueueTextIn } from "../crm/outbox-store.js";
import type { DatabaseHandle, Db } from "../store/db.js";
import { type OptOutResult, optOutIn } from "./opt-out-store.js";
import { createInboundWrite, type NewInboundText } from "./text-inbound-store.js";

/** Outbound statuses in the order Twilio moves through them: a status callback only moves a text forward. */
const RANK: Record<string, number> = {
  sending: 0,
  unknown: 0,
  accepted: 1,
  scheduled: 1,
  queued: 2,
  "sending-twilio": 3,
  sent: 4,
  delivered: 5,
  undelivered: 5,
  failed: 5,
  not_sent: 6,
  received: 6,
};

/** Twilio's `sending` is stored as "sending-twilio": "sending" is Leadline's row before Twilio answered. */
export const storedStatus = (twilioStatus: string) => (twilioStatus === "sending" ? "sending-twilio" : twilioStatus);

export interface NewOutboundText {
  workspaceId: number;
  /** None for a STOP confirmation to a number that is no lead. */
  leadId: number | null;
  phone: string;
  body: string;
  kind: "agent" | "reply" | "confirmation" | "help" | "textback";
  agentId: string;
  originKey?: string;
  slackChannel?: string;
  slackThreadTs?: string;
}

export type Gate = (tx: Pick<Db, "dncEntry" | "consent" | "call" | "$queryRawUnsafe">) => Promise<unknown | undefined>;

export interface TextStore {
  /** The row before Twilio, written with the law's check in one transaction; a repeated origin is found, never doubled. */
  open(
    row: NewOutboundText,
    gate: Gate,
    /** What the agent wrote, kept on a refused row (Send at … sends it later, decorated then as needed). */
    draft?: string,
  ): Promise<{ opened: Text } | { blocked: unknown; refused: Text } | { duplicate: Text }>;
  recordSent(id: number, sid: string, status: string, teamNumber: string | null): Promise<Text>;
  /** Nothing was sent (Twilio refused with a code, or never had it). */
  recordNotSent(id: number, error: { code?: number | null; message: string }): Promise<Text>;
  markUnknown(id: number): Promise<void>;
  knownSids(sids: string[]): Promise<Set<string>>;
  byId(ws: number, id: number): Promise<Text | undefined>;
  bySid(sid: string): Promise<Text | undefined>;
  /** Moves a text forward to Twilio's status (with its error); undefined when it was there or further already. */
  moveStatus(
    sid: string,
    status: string,
    error: { code: number | null; message: string | null },
  ): Promise<Text | undefined>;
  setPost(id: number, where: { channel: string; ts: string; threadTs: string | null }): Promise<void>;
  /** Whether the lead has had a text from the team (the first one carries the team's name and STOP words). */
  anySent(ws: number, leadId: number): Promise<boolean>;
  /** Whether the number texted the team since `since`, STOP aside (an answer to it is a reply, not marketing). */
  textedUsSince(ws: number, phone: string, since: Date): Promise<boolean>;
  /** The lead's thread: where its latest text or call was shown. */
  leadThread(ws: number, leadId: number): Promise<{ channel: string; threadTs: string } | undefined>;
  /** An inbound text, once per Twilio SID, on the lead with its number (if any), with its CRM outbox row (text-inbound-store.ts). */
  recordInbound(row: NewInboundText): Promise<{ text: Text; created: boolean }>;
  /**
   * STOP (or 21610): the number on the do-not-call list, its texting opted out, every consent revoked and
   * its scheduled calls and texts cancelled, in one transaction with the audit rows.
   */
  optOut(ws: number, phone: string, source: string, now: Date): Promise<OptOutResult>;
  /** Twilio said the number cannot take texts (21614 landline, 30006…): marked, so the next text is refused before Twilio. */
  markUnreachable(ws: number, phone: string, code: number): Promise<void>;
  /** Whether the number texted STOP (or Twilio answered 21610) and has not texted START since. */
  optedOut(ws: number, phone: string): Promise<boolean>;
  /** The number's "cannot take texts" mark, if any. */
  unreachable(ws: number, phone: string): Promise<{ code: number; at: Date } | undefined>;
  /** A lead's texts, newest first. */
  ofLead(ws: number, leadId: number, limit: number): Promise<Text[]>;
  /** Whether a missed-call text-back went (or is booked) to this number since `since`. */
  textBackSince(ws: number, phone: string, since: Date): Promise<boolean>;
  /** START: texts may go again (a do-not-call entry for calls stays); true when the number had opted out. */
  optIn(ws: number, phone: string, source: string): Promise<boolean>;
  /** Claims this instance took but did not post (it is stopping): free for the next pass at once. */
  releaseClaims(ids: number[]): Promise<void>;
  /** This instance still posts these rows: their claim runs until `until`. */
  renewClaims(ids: number[], until: Date): Promise<void>;
  /** The oldest inbound texts not yet posted, claimed for `leaseMs` (another instance skips them meanwhile). */
  claimUnposted(now: Date, leaseMs: number, limit: number): Promise<Text[]>;
  /** The workspace's name (Slack's team name), for the first text when no team name is set. */
  workspaceName(ws: number): Promise<string | undefined>;
  markPosted(
    id: number,
    where: { channel: string; ts: string; threadTs: string | null } | null,
    now: Date,
  ): Promise<void>;
}

export function createTextStore(database: DatabaseHandle): TextStore {
  const db = database.prisma;
  const writeInbound = createInboundWrite(database);
  return {
    async open(row, gate, draft) {
      const data = { ...row, direction: "outbound", status: "sending" };
      try {
        return await db.$transaction(async (tx) => {
          const blocked = await gate(tx);
          if (blocked !== undefined) {
            const refused = await tx.text.create({
              data: {
                ...data,
                body: draft ?? data.body,
                originKey: null,
                status: "not_sent",
                errorMessage: "calling law",
              },
            });
            return { blocked, refused };
          }
          return { opened: await tx.text.create({ data }) };
        });
      } catch (error) {
        if ((error as { code?: string }).code !== "P2002" || !row.originKey) throw error;
        const same = await db.text.findUnique({
          where: { workspaceId_originKey: { workspaceId: row.workspaceId, originKey: row.originKey } },
        });
        if (!same) throw error;
        return { duplicate: same };
      }
    },
    // Twilio took it: its SID and, in the same transaction, the team CRM's outbox row (crm/outbox-store.ts).
    recordSent: (id, sid, status, teamNumber) =>
      db.$transaction(async (tx) => {
        const text = await tx.text.update({
          where: { id },
          data: { twilioSid: sid, status: storedStatus(status), teamNumber },
        });
        await enqueueTextIn(tx, text);
        return text;
      }),
    recordNotSent: (id, error) =>
      db.text.update({
        where: { id },
        data: { status: "not_sent", errorCode: error.code ?? null, errorMessage: error.message.slice(0, 500) },
      }),
    async markUnknown(id) {
      await db.text.update({ where: { id }, data: { status: "unknown" } });
    },
    async knownSids(sids) {
      if (sids.length === 0) return new Set();
      const rows = await db.text.findMany({ where: { twilioSid: { in: sids } }, select: { twilioSid: true } });
      return new Set(rows.map((r) => r.twilioSid!));
    },
    byId: async (ws, id) => (await db.text.findFirst({ where: { id, workspaceId: ws } })) ?? undefined,
    bySid: async (sid) => (await db.text.findUnique({ where: { twilioSid: sid } })) ?? undefined,
    async moveStatus(sid, status, error) {
      const next = storedStatus(status);
      const rank = RANK[next];
      if (rank === undefined) return undefined;
      const lower = Object.keys(RANK).filter((key) => RANK[key]! < rank);
      const moved = await db.text.updateMany({
        where: { twilioSid: sid, status: { in: lower } },
        data: { status: next, ...(error.code ? { errorCode: error.code, errorMessage: error.message } : {}) },
      });
      return moved.count === 1 ? ((await db.text.findUnique({ where: { twilioSid: sid } })) ?? undefined) : undefined;
    },
    async setPost(id, where) {
      await db.text.update({
        where: { id },
        data: { slackChannel: where.channel, slackTs: where.ts, slackThreadTs: where.threadTs },
      });
    },
    async anySent(ws, leadId) {
      const found = await db.text.findFirst({
        where: { workspaceId: ws, leadId, direction: "outbound", status: { notIn: ["not_sent"] } },
        select: { id: true },
      });
      return Boolean(found);
    },
    async textedUsSince(ws, phone, since) {
      const found = await db.text.findFirst({
        where: {
          workspaceId: ws,
          phone,
          direction: "inbound",
          createdAt: { gt: since },
          // A STOP is not a conversation; a START is the lead asking for texts again.
          OR: [{ optOutType: null }, { optOutType: { not: "STOP" } }],
        },
        select: { id: true },
      });
      return Boolean(found);
    },
    async leadThread(ws, leadId) {
      const [text, call] = await Promise.all([
        db.text.findFirst({
          where: { workspaceId: ws, leadId, slackChannel: { not: null }, slackTs: { not: null } },
          orderBy: { id: "desc" },
        }),
        db.call.findFirst({
          where: { workspaceId: ws, leadId, slackChannel: { not: null }, slackTs: { not: null } },
          orderBy: { id: "desc" },
        }),
      ]);
      const latest = [text, call]
        .filter((row) => row !== null)
        .sort((a, b) => b!.createdAt.getTime() - a!.createdAt.getTime())[0];
      if (!latest?.slackChannel) return undefined;
      return { channel: latest.slackChannel, threadTs: latest.slackThreadTs ?? latest.slackTs! };
    },
    async recordInbound(row) {
      const now = new Date();
      const written = await writeInbound(row, now);
      if (!written) return { text: (await db.text.findUnique({ where: { twilioSid: row.sid } }))!, created: false };
      const text: Text = {
        id: written.id,
        workspaceId: row.workspaceId,
        leadId: written.leadId,
        direction: "inbound",
        kind: "reply",
        phone: row.phone,
        teamNumber: row.teamNumber,
        body: row.body,
        status: "received",
        twilioSid: row.sid,
        errorCode: null,
        errorMessage: null,
        optOutType: row.optOutType,
        originKey: null,
        agentId: null,
        slackChannel: null,
        slackThreadTs: null,
        slackTs: null,
        postedAt: null,
        postLeaseUntil: null,
        createdAt: now,
        updatedAt: now,
      };
      return { text, created: true };
    },
    optOut: (ws, phone, source, now) => db.$transaction((tx) => optOutIn(tx, ws, phone, source, now)),
    async markUnreachable(ws, phone, code) {
      const where = { workspaceId_phone: { workspaceId: ws, phone } };
      const existing = await db.textOptOut.findUnique({ where });
      // An opt-out outranks it: a STOP stays a STOP.
      if (existing?.status === "stopped") return;
      const data = { status: "unreachable", source: `twilio ${code}` };
      await db.textOptOut.upsert({ where, create: { workspaceId: ws, phone, ...data }, update: data });
    },
    async optedOut(ws, phone) {
      const row = await db.textOptOut.findUnique({ where: { workspaceId_phone: { workspaceId: ws, phone } } });
      return row?.status === "stopped";
    },
    async unreachable(ws, phone) {
      const row = await db.textOptOut.findUnique({ where: { workspaceId_phone: { workspaceId: ws, phone } } });
      if (row?.status !== "unreachable") return undefined;
      return { code: Number(row.source.replace(/\D/g, "")) || 0, at: row.updatedAt };
    },
    ofLead: (ws, leadId, limit) =>
      db.text.findMany({ where: { workspaceId: ws, leadId }, orderBy: { id: "desc" }, take: limit }),
    async textBackSince(ws, phone, since) {
      const [sent, booked] = await Promise.all([
        db.text.findFirst({
          where: { workspaceId: ws, phone, kind: "textback", createdAt: { gt: since }, status: { not: "not_sent" } },
          select: { id: true },
        }),
        db.scheduledCall.findFirst({
          where: {
            workspaceId: ws,
            bookedBy: "textback",
            lead: { phone },
            createdAt: { gt: since },
            status: { not: "cancelled" },
          },
          select: { id: true },
        }),
      ]);
      return Boolean(sent ?? booked);
    },
    async optIn(ws, phone, source) {
      const reopened =
        (
          await db.textOptOut.updateMany({
            where: { workspaceId: ws, phone, status: "stopped" },
            data: { status: "started", source },
          })
        ).count > 0;
      if (!reopened)
        await db.textOptOut.upsert({
          where: { workspaceId_phone: { workspaceId: ws, phone } },
          create: { workspaceId: ws, phone, status: "started", source },
          update: { status: "started", source },
        });
      return reopened;
    },
    async claimUnposted(now, leaseMs, limit) {
      // Oldest first, and only the leading run nobody holds: a row another instance (or one that died)
      // still holds keeps every later row waiting, so texts are never posted out of order.
      const rows = await db.text.findMany({
        where: { direction: "inbound", postedAt: null },
        orderBy: { id: "asc" },
        take: limit,
      });
      const claimed: Text[] = [];
      const until = new Date(now.getTime() + leaseMs);
      for (const row of rows) {
        if (row.postLeaseUntil && row.postLeaseUntil.getTime() >= now.getTime()) break;
        const won = await db.text.updateMany({
          where: { id: row.id, postedAt: null, postLeaseUntil: row.postLeaseUntil },
          data: { postLeaseUntil: until },
        });
        if (won.count !== 1) break;
        claimed.push({ ...row, postLeaseUntil: until });
      }
      return claimed;
    },
    async releaseClaims(ids) {
      if (ids.length === 0) return;
      await db.text.updateMany({ where: { id: { in: ids }, postedAt: null }, data: { postLeaseUntil: null } });
    },
    async renewClaims(ids, until) {
      if (ids.length === 0) return;
      await db.text.updateMany({ where: { id: { in: ids }, postedAt: null }, data: { postLeaseUntil: until } });
    },
    async workspaceName(ws) {
      return (await db.workspace.findUnique({ where: { id: ws }, select: { name: true } }))?.name ?? undefined;
    },
    async markPosted(id, where, now) {
      await db.text.update({
        where: { id },
        data: {
          postedAt: now,
          ...(where ? { slackChannel: where.channel, slackTs: where.ts, slackThreadTs: where.threadTs } : {}),
        },
      });
    },
  };
}
