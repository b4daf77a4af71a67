/** The lead queries written once through the ORM, the same on both engines. */
import type { Lead, Note } from "@prisma/client";
import type { Db } from "../store/db.js";
import type { LeadRow, LeadStore, LeadWithLastNote, PhoneTaken } from "./lead-rows.js";

const isUniqueViolation = (error: unknown) => (error as { code?: string })?.code === "P2002";

/** The ORM part, the same on both engines. */
export function ormLeadStore(db: Db, withLastNote: (leads: Lead[]) => Promise<LeadWithLastNote[]>) {
  const findByPhone = async (ws: number, e164: string) =>
    (await db.lead.findUnique({ where: { workspaceId_phone: { workspaceId: ws, phone: e164 } } })) ?? undefined;
  return {
    findByPhone,
    async create(ws: number, row: LeadRow, note?: { author: string; body: string }): Promise<Lead | PhoneTaken> {
      try {
        return await db.$transaction(async (tx) => {
          const lead = await tx.lead.create({ data: { ...row, workspaceId: ws } });
          if (note) await tx.note.create({ data: { leadId: lead.id, author: note.author, body: note.body } });
          return lead;
        });
      } catch (error) {
        // Two creates for one phone at once: the unique index decides, the loser names the winner.
        if (row.phone && isUniqueViolation(error)) {
          const winner = await findByPhone(ws, row.phone);
          if (winner) return { phoneTaken: winner };
        }
        throw error;
      }
    },
    async recent(ws: number, limit: number) {
      return withLastNote(
        await db.lead.findMany({
          where: { workspaceId: ws },
          orderBy: [{ updatedAt: "desc" }, { id: "desc" }],
          take: limit,
        }),
      );
    },
    async detail(ws: number, id: number) {
      const lead = await db.lead.findFirst({
        where: { id, workspaceId: ws },
        include: {
          notes: { orderBy: [{ createdAt: "asc" }, { id: "asc" }] },
          calls: { orderBy: { createdAt: "asc" } },
        },
      });
      return lead ?? undefined;
    },
    async addNote(ws: number, leadId: number, author: string, body: string) {
      return db.$transaction(async (tx) => {
        const touched = await tx.lead.updateMany({
          where: { id: leadId, workspaceId: ws },
          data: { updatedAt: new Date() },
        });
        if (touched.count === 0) return undefined;
        return tx.note.create({ data: { leadId, author, body } });
      });
    },
    async update(
      ws: number,
      leadId: number,
      data: Parameters<LeadStore["update"]>[2],
      note: { author: string; body: string },
      audit: { actor: string; action: string; detail: string },
    ) {
      return db.$transaction(async (tx) => {
        const changed = await tx.lead.updateMany({ where: { id: leadId, workspaceId: ws }, data });
        if (changed.count === 0) return undefined;
        await tx.note.create({ data: { leadId, author: note.author, body: note.body } });
        await tx.auditLog.create({ data: { workspaceId: ws, ...audit } });
        return tx.lead.findUniqueOrThrow({ where: { id: leadId } });
      });
    },
    async markPhoneWrong(ws: number, leadId: number, phone: string, at: Date, note: { author: string; body: string }) {
      return db.$transaction(async (tx) => {
        const changed = await tx.lead.updateMany({
          where: { id: leadId, workspaceId: ws, phone },
          data: { phoneWrongAt: at },
        });
        if (changed.count === 0) return false;
        await tx.note.create({ data: { leadId, author: note.author, body: note.body } });
        return true;
      });
    },
    async setAddress(
      ws: number,
      leadId: number,
      address: { state: string | null; zip: string | null },
      note: { author: string; body: string },
    ) {
      return db.$transaction(async (tx) => {
        const changed = await tx.lead.updateMany({ where: { id: leadId, workspaceId: ws }, data: address });
        if (changed.count === 0) return undefined;
        await tx.note.create({ data: { leadId, author: note.author, body: note.body } });
        return tx.lead.findUniqueOrThrow({ where: { id: leadId } });
      });
    },
    async setPhone(
      ws: number,
      leadId: number,
      phone: { e164: string; ext?: string },
      expected: string | null,
      record: Parameters<LeadStore["setPhone"]>[4],
    ): ReturnType<LeadStore["setPhone"]> {
      try {
        return await db.$transaction(async (tx) => {
          const current = await tx.lead.findFirst({ where: { id: leadId, workspaceId: ws } });
          if (!current) return { missing: true as const };
          if (current.phone !== expected) return { stale: current };
          // Only if the phone is still what the form showed: a concurrent change makes this update miss.
          const changed = await tx.lead.updateMany({
            where: { id: leadId, workspaceId: ws, phone: expected },
            // A new number is a fresh start: a "wrong number" mark was about the old one.
            data: {
              phone: phone.e164,
              phoneExt: phone.ext ?? null,
              phoneLast4: phone.e164.slice(-4),
              phoneWrongAt: null,
            },
          });
          if (changed.count === 0) return { stale: (await tx.lead.findFirst({ where: { id: leadId } }))! };
          const { note, audit } = record(current);
          await tx.note.create({ data: { leadId, author: note.author, body: note.body } });
          await tx.auditLog.create({ data: { workspaceId: ws, ...audit } });
          return { lead: await tx.lead.findUniqueOrThrow({ where: { id: leadId } }), previous: current.phone };
        });
      } catch (error) {
        if (isUniqueViolation(error)) {
          const winner = await findByPhone(ws, phone.e164);
          if (winner) return { phoneTaken: winner };
        }
        throw error;
      }
    },
  };
}

/** Each lead with its last note, in one more query for the whole page. */
export function lastNotesFrom(db: Db) {
  return async (leads: Lead[]): Promise<LeadWithLastNote[]> => {
    if (leads.length === 0) return [];
    const notes = await db.note.findMany({
      where: { leadId: { in: leads.map((lead) => lead.id) } },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    });
    const last = new Map<number, Note>();
    for (const note of notes) if (!last.has(note.leadId)) last.set(note.leadId, note);
    return leads.map((lead) => ({ ...lead, lastNote: last.get(lead.id) }));
  };
}
