import type { App, BlockAction } from "@slack/bolt";
import { UserError } from "../../lib/errors.js";
import { ids } from "../../lib/ids.js";
import type { RecordingService } from "../../services/calls/recordings.js";
import type { LeadService } from "../../services/leads/lead-service.js";
import { zoneOf } from "../../services/slack/people.js";
import type { SummaryInsights } from "../../services/transcripts/summary-insights.js";
import { historyItems, historyModal } from "../../views/history.js";
import type { ListenerBase } from "../shared/base.js";
import { buttonOf, historyMeta, leadIdOf, readMetadata } from "../shared/payloads.js";
import { tellFailure } from "../shared/reply.js";
import { workspaceOf } from "../shared/workspace.js";

export interface LeadHistoryDeps extends ListenerBase {
  leads: Pick<LeadService, "detail">;
  recordings: Pick<RecordingService, "signedUrl">;
  summaryInsights: Pick<SummaryInsights, "ofLead">;
}

const PAGES = new RegExp(`^(${ids.lead.historyNewerAction}|${ids.lead.historyOlderAction})$`);

/** History on a card: every note and call of the lead, newest first, paged in the same modal. */
export function registerLeadHistory(app: App, deps: LeadHistoryDeps): void {
  const modal = async (ws: number, userId: string, leadId: number, page: number, privateMetadata: string) => {
    const lead = await deps.leads.detail(ws, leadId);
    if (!lead) throw new UserError("That lead no longer exists.", { code: "lead_missing" });
    const summaries = await deps.summaryInsights.ofLead(ws, leadId);
    return historyModal(lead, historyItems(lead.notes, lead.calls), page, {
      recordingUrl: (call) => deps.recordings.signedUrl(call.id),
      summaryOf: (call) => summaries.get(call.id),
      privateMetadata,
      zone: await zoneOf(await deps.slackFor(ws), userId),
    });
  };

  app.action<BlockAction>(ids.lead.historyAction, async ({ ack, body, context }) => {
    await ack();
    const ws = workspaceOf(context);
    try {
      const leadId = leadIdOf(body);
      await (await deps.slackFor(ws)).openView(
        body.trigger_id,
        await modal(ws, body.user.id, leadId, 0, JSON.stringify({ leadId })),
      );
    } catch (error) {
      await tellFailure(deps, ws, body, error, "opening a lead's history");
    }
  });

  app.action<BlockAction>(PAGES, async ({ ack, body, context }) => {
    await ack();
    const ws = workspaceOf(context);
    const view = body.view;
    if (!view) return;
    try {
      const { leadId } = readMetadata(historyMeta, view.private_metadata);
      const page = Number(buttonOf(body).value);
      if (!Number.isInteger(page) || page < 0) return;
      await (await deps.slackFor(ws)).updateView(
        view.id,
        await modal(ws, body.user.id, leadId, page, view.private_metadata),
      );
    } catch (error) {
      deps.log.warn({ err: error }, "could not page a lead's history");
    }
  });
}
