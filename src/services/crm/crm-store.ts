import type { CrmConnection } from "@prisma/client";
import type { Db } from "../store/db.js";

/** A workspace's CRM connection, its user map and its person links (the outbox: outbox-store.ts). */
export interface CrmStore {
  connection(ws: number): Promise<CrmConnection | undefined>;
  /** Saves the connection, the user map and the key (a secret, written by `withKey` in the same transaction). */
  saveConnection(
    ws: number,
    connection: { provider: string; accountName: string; keyUserName: string; connectedBy: string },
    users: { slackUserId: string; crmUserId: number; email: string }[],
    withKey: (tx: Pick<Db, "secret">) => Promise<void>,
  ): Promise<void>;
  setWebhooks(ws: number, ids: number[], error: string | null): Promise<void>;
  removeConnection(ws: number): Promise<void>;
  users(ws: number): Promise<{ slackUserId: string; crmUserId: number; email: string }[]>;
  crmUserOf(ws: number, slackUserId: string): Promise<number | undefined>;
  slackUserOf(ws: number, crmUserId: number): Promise<string | undefined>;
  mapUser(ws: number, slackUserId: string, crmUserId: number, email: string): Promise<void>;
  /** The CRM person a lead is (the first linked). */
  personOf(ws: number, leadId: number): Promise<number | undefined>;
  leadOfPerson(ws: number, personId: number): Promise<number | undefined>;
  /** Links a person to a lead (once: a person already linked keeps its lead); true when newly linked. */
  link(ws: number, personId: number, leadId: number): Promise<boolean>;
  /** Every person linked to a lead (two CRM people with one phone are both linked). */
  peopleOf(ws: number, leadId: number): Promise<number[]>;
  /** Records a webhook's resource as applied; false when it already was (a replay). */
  markSeen(ws: number, eventId: string, resourceId: number): Promise<boolean>;
  seen(ws: number, eventId: string, resourceId: number): Promise<boolean>;
}

const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === "P2002";

export function createCrmStore(db: Db): CrmStore {
  return {
    async connection(ws) {
      return (await db.crmConnection.findUnique({ where: { workspaceId: ws } })) ?? undefined;
    },
    async saveConnection(ws, connection, users, withKey) {
      await db.$transaction(async (tx) => {
        await withKey(tx);
        // Another CRM than the one connected: the old one's person links and webhooks mean nothing to it.
        const before = await tx.crmConnection.findUnique({ where: { workspaceId: ws } });
        const switched = before !== null && before.provider !== connection.provider;
        if (switched) await tx.crmPerson.deleteMany({ where: { workspaceId: ws } });
        await tx.crmConnection.upsert({
          where: { workspaceId: ws },
          create: { workspaceId: ws, ...connection },
          update: { ...connection, pausedUntil: null, ...(switched ? { webhookIds: null, webhookError: null } : {}) },
        });
        await tx.crmUser.deleteMany({ where: { workspaceId: ws } });
        if (users.length > 0) await tx.crmUser.createMany({ data: users.map((u) => ({ workspaceId: ws, ...u })) });
      });
    },
    async setWebhooks(ws, ids, error) {
      await db.crmConnection.updateMany({
        where: { workspaceId: ws },
        data: { webhookIds: ids.length > 0 ? ids.join(",") : null, webhookError: error },
      });
    },
    async removeConnection(ws) {
      await db.$transaction([
        db.crmConnection.deleteMany({ where: { workspaceId: ws } }),
        db.crmUser.deleteMany({ where: { workspaceId: ws } }),
      ]);
    },
    users: (ws) =>
      db.crmUser.findMany({
        where: { workspaceId: ws },
        orderBy: { email: "asc" },
        select: { slackUserId: true, crmUserId: true, email: true },
      }),
    async crmUserOf(ws, slackUserId) {
      return (await db.crmUser.findUnique({ where: { workspaceId_slackUserId: { workspaceId: ws, slackUserId } } }))
        ?.crmUserId;
    },
    async slackUserOf(ws, crmUserId) {
      return (await db.crmUser.findFirst({ where: { workspaceId: ws, crmUserId } }))?.slackUserId;
    },
    async mapUser(ws, slackUserId, crmUserId, email) {
      await db.crmUser.upsert({
        where: { workspaceId_slackUserId: { workspaceId: ws, slackUserId } },
        create: { workspaceId: ws, slackUserId, crmUserId, email },
        update: { crmUserId, email },
      });
    },
    async personOf(ws, leadId) {
      return (await db.crmPerson.findFirst({ where: { workspaceId: ws, leadId }, orderBy: { personId: "asc" } }))
        ?.personId;
    },
    async leadOfPerson(ws, personId) {
      return (await db.crmPerson.findUnique({ where: { workspaceId_personId: { workspaceId: ws, personId } } }))
        ?.leadId;
    },
    async link(ws, personId, leadId) {
      try {
        await db.crmPerson.create({ data: { workspaceId: ws, personId, leadId } });
        return true;
      } catch (error) {
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },
    async peopleOf(ws, leadId) {
      const rows = await db.crmPerson.findMany({ where: { workspaceId: ws, leadId }, orderBy: { personId: "asc" } });
      return rows.map((row) => row.personId);
    },
    async markSeen(ws, eventId, resourceId) {
      try {
        await db.crmWebhookSeen.create({ data: { workspaceId: ws, eventId, resourceId } });
        return true;
      } catch (error) {
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },
    async seen(ws, eventId, resourceId) {
      const found = await db.crmWebhookSeen.findUnique({
        where: { workspaceId_eventId_resourceId: { workspaceId: ws, eventId, resourceId } },
      });
      return found !== null;
    },
  };
}
