import type { DatabaseHandle } from "../store/db.js";
import type { StatsQuery } from "./stats-store.js";

export interface TextCounts {
  /** Texts that reached Twilio (they have a SID), whatever became of them after. */
  sent: number;
  delivered: number;
  /** Undelivered or failed on Twilio's side, or refused by Twilio with a code (not the law's refusals). */
  failed: number;
  /** Texts from leads that are no keyword, counted to the agent who texted the number last before them. */
  replies: number;
  /** STOP texts, counted the same way. */
  optOuts: number;
}

export interface TextStats extends TextCounts {
  perAgent: (TextCounts & { agentId: string })[];
}

/** A lead's reply the agent has not answered: the newest text with the number (Leadline's automatic answers aside) is theirs, after the agent's. */
export interface WaitingReply {
  textId: number;
  leadId: number | null;
  leadName: string | null;
  phone: string;
  body: string;
  at: Date;
}

/** An agent's latest texts, for App Home. */
export interface RecentText {
  id: number;
  leadName: string | null;
  phone: string;
  body: string;
  status: string;
  errorCode: number | null;
  at: Date;
}

export const EMPTY_TEXT_COUNTS: TextCounts = { sent: 0, delivered: 0, failed: 0, replies: 0, optOuts: 0 };

/** Texts people wrote or asked for (agents' texts, replies, text-backs), not Leadline's automatic answers. */
const COUNTED_KINDS = `"kind" IN ('agent', 'reply', 'textback')`;

/** The agent who texted this inbound text's number last before it (the conversation it answers). */
const REPLIED_TO = `(SELECT o."agentId" FROM "Text" o
   WHERE o."workspaceId" = i."workspaceId" AND o."phone" = i."phone" AND o."direction" = 'outbound'
     AND o.${COUNTED_KINDS} AND o."createdAt" <= i."createdAt"
   ORDER BY o."createdAt" DESC, o."id" DESC LIMIT 1)`;

export interface TextStatsStore {
  /** The range's texts per agent (the same range, and agent filter, as the calls' numbers). */
  stats(query: StatsQuery): Promise<TextStats>;
  /** Replies waiting on this agent since `since`, oldest first. */
  waiting(ws: number, agentId: string, since: Date, limit: number): Promise<WaitingReply[]>;
  recent(ws: number, agentId: string, limit: number): Promise<RecentText[]>;
}

export function createTextStatsStore(database: DatabaseHandle): TextStatsStore {
  const db = database.prisma;
  const sqlite = Boolean(database.sqlite);
  const p = (n: number) => (sqlite ? "?" : `$${n}`);
  const time = (date: Date) => (sqlite ? date.toISOString().replace("Z", "+00:00") : date);
  const ts = (n: number) => (sqlite ? p(n) : `${p(n)}::timestamp(3)`);
  const run = <T>(sql: string, params: unknown[]) => db.$queryRawUnsafe<T[]>(sql, ...params);
  const n = (value: unknown) => Number(value ?? 0);

  return {
    async stats(query) {
      const range = [query.ws, time(query.from), time(query.to)];
      const inRange = `"workspaceId" = ${p(1)} AND "createdAt" >= ${ts(2)} AND "createdAt" < ${ts(3)}`;
      const agent = query.agentId ? [query.agentId] : [];
      const [outbound, inbound] = await Promise.all([
        run<{ agent: string; sent: unknown; delivered: unknown; failed: unknown }>(
          `SELECT "agentId" AS agent,
                  sum(CASE WHEN "twilioSid" IS NOT NULL THEN 1 ELSE 0 END) AS sent,
                  sum(CASE WHEN "status" = 'delivered' THEN 1 ELSE 0 END) AS delivered,
                  sum(CASE WHEN "status" IN ('failed', 'undelivered')
                            OR ("status" = 'not_sent' AND "errorCode" IS NOT NULL) THEN 1 ELSE 0 END) AS failed
             FROM "Text"
            WHERE ${inRange} AND "direction" = 'outbound' AND ${COUNTED_KINDS}
                  ${query.agentId ? `AND "agentId" = ${p(4)}` : ""}
            GROUP BY "agentId"`,
          [...range, ...agent],
        ),
        run<{ agent: string | null; replies: unknown; stops: unknown }>(
          `SELECT agent, sum(CASE WHEN kw IS NULL THEN 1 ELSE 0 END) AS replies,
                  sum(CASE WHEN kw = 'STOP' THEN 1 ELSE 0 END) AS stops
             FROM (SELECT ${REPLIED_TO} AS agent, i."optOutType" AS kw FROM "Text" i
                    WHERE ${inRange.replace(/"(workspaceId|createdAt)"/g, 'i."$1"')} AND i."direction" = 'inbound') x
            WHERE agent IS NOT NULL ${query.agentId ? `AND agent = ${p(4)}` : ""}
            GROUP BY agent`,
          [...range, ...agent],
        ),
      ]);
      const agents = new Map<string, TextCounts>();
      const of = (id: string) => {
        let counts = agents.get(id);
        if (!counts) agents.set(id, (counts = { ...EMPTY_TEXT_COUNTS }));
        return counts;
      };
      for (const row of outbound)
        Object.assign(of(row.agent), { sent: n(row.sent), delivered: n(row.delivered), failed: n(row.failed) });
      for (const row of inbound) Object.assign(of(row.agent!), { replies: n(row.replies), optOuts: n(row.stops) });
      const perAgent = [...agents]
        .map(([agentId, counts]) => ({ agentId, ...counts }))
        .sort((a, b) => b.sent - a.sent || a.agentId.localeCompare(b.agentId));
      const total = { ...EMPTY_TEXT_COUNTS };
      for (const row of perAgent) for (const key of Object.keys(total) as (keyof TextCounts)[]) total[key] += row[key];
      return { ...total, perAgent };
    },

    async waiting(ws, agentId, since, limit) {
      const rows = await run<{
        id: unknown;
        leadId: unknown;
        name: string | null;
        phone: string;
        body: string;
        at: unknown;
      }>(
        `SELECT i."id" AS id, i."leadId" AS "leadId", l."name" AS name, i."phone" AS phone, i."body" AS body,
                i."createdAt" AS at
           FROM "Text" i LEFT JOIN "Lead" l ON l."id" = i."leadId"
          WHERE i."workspaceId" = ${p(1)} AND i."direction" = 'inbound' AND i."optOutType" IS NULL
            AND i."createdAt" >= ${ts(2)} AND ${REPLIED_TO} = ${p(3)}
            AND NOT EXISTS (SELECT 1 FROM "Text" later WHERE later."workspaceId" = i."workspaceId"
                  AND later."phone" = i."phone" AND (later."direction" = 'inbound' OR later.${COUNTED_KINDS})
                  AND (later."createdAt" > i."createdAt"
                  OR (later."createdAt" = i."createdAt" AND later."id" > i."id")))
          ORDER BY i."createdAt", i."id" LIMIT ${Math.trunc(limit)}`,
        [ws, time(since), agentId],
      );
      return rows.map((row) => ({
        textId: n(row.id),
        leadId: row.leadId === null ? null : n(row.leadId),
        leadName: row.name,
        phone: row.phone,
        body: row.body,
        at: new Date(row.at as string | Date),
      }));
    },

    async recent(ws, agentId, limit) {
      const rows = await db.text.findMany({
        where: { workspaceId: ws, agentId, direction: "outbound", kind: { in: ["agent", "reply", "textback"] } },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        take: limit,
        include: { lead: { select: { name: true } } },
      });
      return rows.map((row) => ({
        id: row.id,
        leadName: row.lead?.name ?? null,
        phone: row.phone,
        body: row.body,
        status: row.status,
        errorCode: row.errorCode,
        at: row.createdAt,
      }));
    },
  };
}
