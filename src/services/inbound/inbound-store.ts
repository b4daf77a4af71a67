import type { Call, InboundCall, Lead } from "@prisma/client";
import type { Db } from "../store/db.js";

export type InboundWithLead = InboundCall & { lead: Lead | null };

/** Every query of inbound calls. Each change is conditional, so a webhook Twilio retries changes nothing twice. */
export interface InboundStore {
  /** The call for this Twilio SID, created on first sight; `created` is false for a retried webhook. */
  open(
    row: Omit<
      InboundCall,
      | "id"
      | "createdAt"
      | "updatedAt"
      | "endedAt"
      | "status"
      | "answeredBy"
      | "durationSec"
      | "recordingSid"
      | "recordingSec"
      | "transcript"
      | "slackChannel"
      | "slackTs"
      | "slackThreadTs"
    >,
  ): Promise<{ call: InboundCall; created: boolean }>;
  get(ws: number, id: number): Promise<InboundWithLead | undefined>;
  /** Moves the call from one of `from` to `status`; false when it was elsewhere already. */
  move(
    id: number,
    from: string[],
    data: Partial<Pick<InboundCall, "status" | "answeredBy" | "durationSec" | "endedAt">>,
  ): Promise<boolean>;
  /** Where the call's post (its Slack message) went. */
  setPost(id: number, where: { channel: string; ts: string; threadTs: string | null }): Promise<void>;
  /** Stores the voicemail once; false for a repeated callback. */
  setRecording(id: number, recordingSid: string, seconds: number): Promise<boolean>;
  setTranscript(id: number, text: string): Promise<boolean>;
  addNote(leadId: number, author: string, body: string): Promise<void>;
  /** The lead's latest outbound call with a post in Slack: an inbound call goes into its thread. */
  lastPost(
    ws: number,
    leadId: number,
  ): Promise<Pick<Call, "slackChannel" | "slackTs" | "slackThreadTs" | "placedBy"> | undefined>;
  lastCaller(ws: number, leadId: number): Promise<string | undefined>;
  /** The lead was talked to at `at`: its last contact moves forward (never back). */
  contacted(leadId: number, at: Date): Promise<void>;
  /**
   * A lead added with the number of callers nobody knew: their inbound calls become the lead's (a call
   * already linked stays as it is); the calls adopted, with the lead.
   */
  adoptCaller(ws: number, leadId: number, phone: string): Promise<InboundWithLead[]>;
}

export function createInboundStore({ db }: { db: Db }): InboundStore {
  return {
    async open(row) {
      const existing = await db.inboundCall.findUnique({ where: { twilioSid: row.twilioSid } });
      if (existing) return { call: existing, created: false };
      try {
        return { call: await db.inboundCall.create({ data: { ...row, status: "ringing" } }), created: true };
      } catch (error) {
        // The same webhook twice at once: the unique SID decides.
        const again = await db.inboundCall.findUnique({ where: { twilioSid: row.twilioSid } });
        if (again) return { call: again, created: false };
        throw error;
      }
    },
    async get(ws, id) {
      return (await db.inboundCall.findFirst({ where: { id, workspaceId: ws }, include: { lead: true } })) ?? undefined;
    },
    async move(id, from, data) {
      return (await db.inboundCall.updateMany({ where: { id, status: { in: from } }, data })).count === 1;
    },
    async setPost(id, where) {
      await db.inboundCall.update({
        where: { id },
        data: { slackChannel: where.channel, slackTs: where.ts, slackThreadTs: where.threadTs },
      });
    },
    async setRecording(id, recordingSid, seconds) {
      return (
        (
          await db.inboundCall.updateMany({
            where: { id, recordingSid: null },
            data: { recordingSid, recordingSec: seconds, status: "voicemail" },
          })
        ).count === 1
      );
    },
    async setTranscript(id, text) {
      return (
        (await db.inboundCall.updateMany({ where: { id, transcript: null }, data: { transcript: text } })).count === 1
      );
    },
    async addNote(leadId, author, body) {
      await db.note.create({ data: { leadId, author, body } });
    },
    async lastPost(ws, leadId) {
      return (
        (await db.call.findFirst({
          where: { workspaceId: ws, leadId, slackTs: { not: null } },
          orderBy: { id: "desc" },
          select: { slackChannel: true, slackTs: true, slackThreadTs: true, placedBy: true },
        })) ?? undefined
      );
    },
    async contacted(leadId, at) {
      await db.lead.updateMany({
        where: { id: leadId, OR: [{ lastContactedAt: null }, { lastContactedAt: { lt: at } }] },
        data: { lastContactedAt: at },
      });
    },
    async adoptCaller(ws, leadId, phone) {
      const unknown = await db.inboundCall.findMany({
        where: { workspaceId: ws, leadId: null, fromNumber: phone },
        select: { id: true },
      });
      if (unknown.length === 0) return [];
      const ids = unknown.map((row) => row.id);
      await db.inboundCall.updateMany({ where: { id: { in: ids }, leadId: null }, data: { leadId } });
      return db.inboundCall.findMany({
        where: { id: { in: ids }, leadId },
        include: { lead: true },
        orderBy: { id: "asc" },
      });
    },
    async lastCaller(ws, leadId) {
      return (
        await db.call.findFirst({
          where: { workspaceId: ws, leadId },
          orderBy: { id: "desc" },
          select: { placedBy: true },
        })
      )?.placedBy;
    },
  };
}
