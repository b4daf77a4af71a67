import { isExpected } from "../../lib/errors.js";
import type { Logger } from "../../lib/log.js";
import type { AuditService } from "../audit/audit-store.js";
import type { AdminGate } from "../setup/admin-gate.js";
import { csvText, type ImportReport, importLeadsCsv } from "./lead-import.js";
import type { LeadService } from "./lead-service.js";

/** A file a person uploaded, as read from where they uploaded it. */
export interface UploadedFile {
  name: string;
  bytes: Buffer;
}

/** What an import of an uploaded file came to: the report, or why nothing was added. */
export type UploadedImport =
  | { ok: true; fileName: string; report: ImportReport }
  | { ok: false; fileName?: string; error: unknown };

/** `/lead import`: a CSV a person uploaded in Slack, imported by the same code as `npm run leads:import`. */
export interface UploadedLeadImport {
  run(ws: number, userId: string, fileId: string): Promise<UploadedImport>;
}

/** The largest lead CSV read from Slack (Slack's own limit for a file input). */
export const UPLOAD_LIMIT = 10 * 1024 * 1024;

export function createUploadedLeadImport(deps: {
  leads: LeadService;
  gate: Pick<AdminGate, "require">;
  audit: AuditService;
  /** Reads the uploaded file from the workspace's Slack (files.info and its private URL). */
  readFile(ws: number, fileId: string, maxBytes: number): Promise<UploadedFile>;
  log: Logger;
}): UploadedLeadImport {
  return {
    async run(ws, userId, fileId) {
      let fileName: string | undefined;
      try {
        await deps.gate.require(ws, userId, "lead_import", { fileId });
        const file = await deps.readFile(ws, fileId, UPLOAD_LIMIT);
        fileName = file.name;
        const report = await importLeadsCsv(ws, csvText(file.bytes, file.name), deps.leads, userId);
        await deps.audit.record(ws, userId, "leads.imported", {
          fileId,
          created: report.created.length,
          duplicates: report.duplicates.length,
          rejected: report.rejected.length,
        });
        return { ok: true, fileName, report };
      } catch (error) {
        if (!isExpected(error)) deps.log.error({ err: error, fileId }, "importing an uploaded lead CSV failed");
        return { ok: false, fileName, error };
      }
    },
  };
}
