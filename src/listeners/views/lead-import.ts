import type { App } from "@slack/bolt";
import { z } from "zod";
import { INPUT_ACTION, ids, leadFields } from "../../lib/ids.js";
import { sendLeadImportReport } from "../../presenters/lead-import-report.js";
import type { UploadedLeadImport } from "../../services/leads/uploaded-import.js";
import { leadImportStartedModal } from "../../views/lead-import.js";
import type { ListenerBase } from "../shared/base.js";
import { workspaceOf } from "../shared/workspace.js";

export interface LeadImportDeps extends ListenerBase {
  uploadedImport: UploadedLeadImport;
}

/** A file_input's value in view_submission state: the files the person uploaded (Slack file objects). */
const fileInputValue = z.object({
  files: z.array(z.object({ id: z.string().regex(/^F[A-Z0-9]+$/), name: z.string().max(1000).optional() })).min(1),
});

/** `/lead import` submitted: the modal says the import started; the report comes as a DM. */
export function registerLeadImportSubmit(app: App, deps: LeadImportDeps): void {
  app.view(ids.lead.importCallbackId, async ({ ack, body, view, context }) => {
    const ws = workspaceOf(context);
    const value = fileInputValue.safeParse(view.state.values[leadFields.importFile]?.[INPUT_ACTION]);
    if (!value.success) {
      await ack({ response_action: "errors", errors: { [leadFields.importFile]: "Choose a CSV file to import." } });
      return;
    }
    const file = value.data.files[0]!;
    await ack({ response_action: "update", view: leadImportStartedModal(file.name ?? "your file") });
    const userId = body.user.id;
    deps.tasks.run(async () => {
      const outcome = await deps.uploadedImport.run(ws, userId, file.id);
      await sendLeadImportReport(await deps.slackFor(ws), userId, outcome, deps.log);
    });
  });
}
