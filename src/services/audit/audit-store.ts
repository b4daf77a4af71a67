import type { Db } from "../store/db.js";

export interface AuditService {
  /** Who did what, in which workspace. `detail` carries field names and outcomes only, never secret values or phone digits. */
  record(ws: number, actor: string, action: string, detail?: Record<string, unknown>): Promise<void>;
}

export function createAuditService({ db }: { db: Db }): AuditService {
  return {
    async record(ws, actor, action, detail = {}) {
      await db.auditLog.create({ data: { workspaceId: ws, actor, action, detail: JSON.stringify(detail) } });
    },
  };
}
