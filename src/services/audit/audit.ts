import type { Db } from "../store/db.js";

export interface AuditService {
  /** `detail` carries field names and outcomes only, never secret values. */
  record(actor: string, action: string, detail?: Record<string, unknown>): Promise<void>;
}

export function createAuditService({ db }: { db: Db }): AuditService {
  return {
    async record(actor, action, detail = {}) {
      await db.auditLog.create({ data: { actor, action, detail: JSON.stringify(detail) } });
    },
  };
}
