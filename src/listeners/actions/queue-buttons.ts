import type { App, BlockAction } from "@slack/bolt";
import { ids } from "../../lib/ids.js";
import type { SpeedPosts } from "../../presenters/speed-posts.js";
import { OUTCOMES } from "../../services/calls/outcomes.js";
import type { AgentSkipReason } from "../../services/queues/queue-claims.js";
import type { QueueRuns } from "../../services/queues/queue-runs.js";
import type { QueueSupervision } from "../../services/queues/queue-supervise.js";
import { SNOOZE_CHOICES, SNOOZE_MAX_DAYS, type SnoozeChoice } from "../../services/queues/snooze.js";
import type { SpeedToLead } from "../../services/queues/speed-to-lead.js";
import { zoneOf } from "../../services/slack/people.js";
import { snoozeModal } from "../../views/queue-card.js";
import { SNOOZE_PICK } from "../../views/skip-words.js";
import type { ListenerBase } from "../shared/base.js";
import { buttonOf } from "../shared/payloads.js";
import { afterAck, tellClicker } from "../shared/reply.js";
import { workspaceOf } from "../shared/workspace.js";

const q = ids.queue;
const QUEUE_ACTION = new RegExp(
  `^(${[q.callAction, q.skipAction, q.snoozeAction, q.stopAction, q.nextAction].join("|")}|${q.outcomePrefix}(${Object.keys(OUTCOMES).join("|")}))$`,
);

export interface QueueButtonsDeps extends ListenerBase {
  queueRuns: Pick<QueueRuns, "dial" | "skip" | "snooze" | "stop" | "next" | "outcome">;
  speedToLead: Pick<SpeedToLead, "claim">;
  speedPosts: Pick<SpeedPosts, "draw">;
}

/** The value of a card button, or of the option picked in its Skip or Snooze menu. */
function pickedValue(body: BlockAction): string {
  const action = body.actions[0] as { value?: string; selected_option?: { value?: string } | null } | undefined;
  return action?.selected_option?.value ?? action?.value ?? "";
}

/** Snooze's "Pick a day and time…": the form opens on tomorrow at this hour, in the agent's zone. */
async function openSnoozeForm(
  deps: Pick<ListenerBase, "slackFor" | "clock">,
  ws: number,
  body: BlockAction,
  meta: { runId: number; claimId: number },
): Promise<void> {
  const slack = await deps.slackFor(ws);
  const initial = new Date(deps.clock.now().getTime() + 86_400_000);
  const agentZone = await zoneOf(slack, body.user.id);
  await slack.openView(body.trigger_id, snoozeModal(meta, { agentZone, initial, maxDays: SNOOZE_MAX_DAYS }));
}

/** The queue card's buttons: Call, Skip (a reason), Snooze (until), Stop, Look again, and the call's outcome. */
export function registerQueueButtons(app: App, deps: QueueButtonsDeps): void {
  app.action<BlockAction>(QUEUE_ACTION, async ({ ack, body, context }) => {
    await ack();
    const ws = workspaceOf(context);
    const id = buttonOf(body).action_id;
    const match = /^(\d{1,12}):(\d{1,12})(?::([a-z0-9_]{1,20}))?$/.exec(pickedValue(body));
    if (!match) return;
    const action = { ws, runId: Number(match[1]), agentId: body.user.id };
    const claimId = Number(match[2]);
    const choice = match[3] ?? "";
    afterAck(deps, ws, body, "a queue button", async () => {
      if (id === q.callAction) return deps.queueRuns.dial({ ...action, claimId });
      if (id === q.skipAction) return deps.queueRuns.skip({ ...action, claimId, reason: choice as AgentSkipReason });
      if (id === q.snoozeAction) {
        if (choice === SNOOZE_PICK) return openSnoozeForm(deps, ws, body, { runId: action.runId, claimId });
        // A card drawn before Snooze was a menu has a "Snooze 1 h" button: no choice in its value.
        const until = choice || "1h";
        if (!(SNOOZE_CHOICES as readonly string[]).includes(until)) return;
        return deps.queueRuns.snooze({ ...action, claimId, until: until as SnoozeChoice });
      }
      if (id === q.stopAction) return deps.queueRuns.stop(action);
      if (id === q.nextAction) return deps.queueRuns.next(action);
      return deps.queueRuns.outcome({
        ...action,
        claimId,
        outcome: id.slice(q.outcomePrefix.length),
        byName: body.user.name,
      });
    });
  });
}

/** Speed to lead's Claim: the first claim wins; a later one is told who has the lead. */
export function registerSpeedClaim(app: App, deps: QueueButtonsDeps): void {
  app.action<BlockAction>(q.speedClaimAction, async ({ ack, body, context }) => {
    await ack();
    const ws = workspaceOf(context);
    const leadId = Number(buttonOf(body).value);
    if (!Number.isInteger(leadId) || leadId <= 0) return;
    afterAck(deps, ws, body, "a speed-to-lead claim", async () => {
      const { won, state } = await deps.speedToLead.claim(ws, leadId, body.user.id);
      if (won) return deps.speedPosts.draw(state);
      const by = state.row.claimedBy === body.user.id ? "you" : `<@${state.row.claimedBy}>`;
      await tellClicker(deps, ws, body, { text: `:raised_hand: This lead was already claimed by ${by}.` });
    });
  });
}

const SUPERVISE = new RegExp(`^(${[q.listenAction, q.whisperAction, q.joinAction].join("|")})$`);
const MODES = { [q.listenAction]: "listen", [q.whisperAction]: "whisper", [q.joinAction]: "join" } as const;

/** /call-queue status's Listen, Whisper and Join: the supervisor's phone joins the run's conference. */
export function registerSupervisorButtons(
  app: App,
  deps: ListenerBase & { queueSupervision: Pick<QueueSupervision, "supervise"> },
): void {
  app.action<BlockAction>(SUPERVISE, async ({ ack, body, context }) => {
    await ack();
    const ws = workspaceOf(context);
    const button = buttonOf(body);
    const runId = Number(button.value);
    if (!Number.isInteger(runId) || runId <= 0) return;
    const mode = MODES[button.action_id as keyof typeof MODES];
    afterAck(deps, ws, body, "a supervisor button", async () => {
      await deps.queueSupervision.supervise(ws, body.user.id, runId, mode);
      await tellClicker(deps, ws, body, {
        text: `:ear: Ringing your phone: answer to ${mode === "join" ? "join the call" : mode === "whisper" ? "coach the agent" : "listen in"}.`,
      });
    });
  });
}
