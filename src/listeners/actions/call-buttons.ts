import type { App, BlockAction } from "@slack/bolt";
import { ids } from "../../lib/ids.js";
import type { CallService } from "../../services/calls/call-service.js";
import { callPlacedUnposted } from "../../views/call-card.js";
import type { ListenerBase } from "../shared/base.js";
import { clickKeyOf, leadIdOf } from "../shared/payloads.js";
import { tellClicker, tellFailure } from "../shared/reply.js";
import { targetOf } from "../shared/targets.js";
import { workspaceOf } from "../shared/workspace.js";

export interface CallButtonDeps extends ListenerBase {
  calls: Pick<CallService, "placeCall">;
}

const BUTTONS = [
  [ids.call.liveAction, "live"],
  [ids.call.messageAction, "message"],
  // A card posted before release 2: its "Call" was a message call, and still is (consent is checked).
  [ids.call.legacySimpleAction, "message"],
  [ids.call.bridgeAction, "bridge"],
] as const;

/** Call, Message call and Voice bridge on a card: one call per click, placed after the ack. */
export function registerCallButtons(app: App, deps: CallButtonDeps): void {
  for (const [actionId, mode] of BUTTONS) {
    app.action<BlockAction>(actionId, async ({ ack, body, context }) => {
      await ack();
      const ws = workspaceOf(context);
      deps.tasks.run(async () => {
        try {
          const placed = await deps.calls.placeCall({
            workspaceId: ws,
            leadId: leadIdOf(body),
            mode,
            agent: { id: body.user.id, name: body.user.name },
            target: targetOf(body),
            responseUrl: body.response_url,
            originKey: clickKeyOf(body),
          });
          if (!placed.announced)
            await tellClicker(deps, ws, body, callPlacedUnposted(placed.lead.name, placed.call.twilioSid));
        } catch (error) {
          await tellFailure(deps, ws, body, error, "placing a call", { canSchedule: true, noun: "the call" });
        }
      });
    });
  }
}
