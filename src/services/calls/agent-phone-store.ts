import { type DatabaseHandle, statements } from "../store/db.js";

/** Each agent's own phone (`/call-lead settings`), per workspace. */
export interface AgentPhoneStore {
  get(ws: number, agentId: string): Promise<string | undefined>;
  set(ws: number, agentId: string, phone: string | null): Promise<void>;
}

export function createAgentPhoneStore(database: DatabaseHandle): AgentPhoneStore {
  const db = database.prisma;
  const { rows } = statements(database);
  return {
    async get(ws, agentId) {
      const [found] = await rows<{ phone: string }>(
        `SELECT "phone" FROM "AgentSetting" WHERE "workspaceId" = ? AND "slackUserId" = ?`,
        ws,
        agentId,
      );
      return found?.phone || undefined;
    },
    async set(ws, agentId, phone) {
      if (phone === null) {
        await db.agentSetting.deleteMany({ where: { workspaceId: ws, slackUserId: agentId } });
        return;
      }
      await db.agentSetting.upsert({
        where: { workspaceId_slackUserId: { workspaceId: ws, slackUserId: agentId } },
        create: { workspaceId: ws, slackUserId: agentId, phone },
        update: { phone },
      });
    },
  };
}
