import { UserError } from "../../lib/errors.js";
import type { AuditService } from "../audit/audit-store.js";
import type { AdminService } from "./admins.js";

/** The things only admins may do; the view names each in words (views/errors.ts). */
export type AdminArea = "twilio_settings" | "dnc_remove" | "lead_import" | "queues" | "crm_settings" | "supervise";

/** Someone who is not an admin asked for an admin's action: refused, nothing stored. */
export class AdminOnly extends UserError {
  constructor(readonly area: AdminArea) {
    super("admin_only", { code: "admin_only", data: { area }, typed: true });
    this.name = "AdminOnly";
  }
}

export interface AdminGate {
  isAdmin(ws: number, userId: string): Promise<boolean>;
  /** Passes for an admin; otherwise records `<area>.forbidden` in the audit log and throws AdminOnly. */
  require(ws: number, userId: string, area: AdminArea, detail?: Record<string, unknown>): Promise<void>;
}

export function createAdminGate(deps: { admins: AdminService; audit: AuditService }): AdminGate {
  return {
    isAdmin: (ws, userId) => deps.admins.isAdmin(ws, userId),
    async require(ws, userId, area, detail = {}) {
      if (await deps.admins.isAdmin(ws, userId)) return;
      await deps.audit.record(ws, userId, `${area}.forbidden`, detail);
      throw new AdminOnly(area);
    },
  };
}
