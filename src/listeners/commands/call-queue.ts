import type { App } from "@slack/bolt";
import { UserError } from "../../lib/errors.js";
import type { QueueAdmin } from "../../services/queues/queue-admin.js";
import type { QueueSettingsInput } from "../../services/queues/queue-filter.js";
import type { QueueRuns } from "../../services/queues/queue-runs.js";
import type { QueueSupervision } from "../../services/queues/queue-supervise.js";
import type { SpeedToLead } from "../../services/queues/speed-to-lead.js";
import {
  QUEUE_HELP,
  queueList,
  queueRemoved,
  queueSaved,
  queueStatus,
  runStarting,
  speedLimitText,
} from "../../views/queues.js";
import { answerCommand } from "../shared/answer.js";
import type { ListenerBase } from "../shared/base.js";
import { workspaceOf } from "../shared/workspace.js";

const KEYS = ["source", "state", "owner", "outcome", "order", "gap", "max", "auto", "removes", "name"] as const;

/**
 * `new Zillow week source="Zillow" state=FL never-called order=new gap=60 max=6 auto=10` → the name and
 * the settings named (words before the first key=value are the name; quotes allow spaces in values).
 */
export function parseQueueText(text: string): { name: string; changes: Partial<QueueSettingsInput> } {
  const tokens = [...text.matchAll(/(\w[\w-]*)=(?:"([^"]*)"|(\S+))|(\S+)/g)];
  const nameWords: string[] = [];
  const filter: Record<string, unknown> = {};
  const changes: Partial<QueueSettingsInput> & Record<string, unknown> = {};
  const number = (key: string, value: string) => {
    if (!/^\d{1,6}$/.test(value)) throw new UserError(`${key}= takes a whole number, not "${value}".`);
    return Number(value);
  };
  for (const [, key, quoted, bare, word] of tokens) {
    if (word !== undefined) {
      if (word === "never-called") filter.neverCalled = true;
      else if (word === "callback-due") filter.callbackDue = true;
      else if (Object.keys(filter).length === 0 && Object.keys(changes).length === 0) nameWords.push(word);
      else throw new UserError(`"${word}" is not a queue setting. Settings look like key=value: ${KEYS.join(", ")}.`);
      continue;
    }
    const value = (quoted ?? bare ?? "").trim();
    const slackUser = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(value)?.[1];
    switch (key) {
      case "source":
      case "state":
        filter[key] = value;
        break;
      case "owner":
        filter.owner = slackUser ?? value;
        break;
      case "outcome":
        filter.lastOutcome = value;
        break;
      case "order":
        changes.orderBy = value as never;
        break;
      case "gap":
        changes.recallGapMin = number(key, value);
        break;
      case "max":
        changes.maxAttempts = number(key, value);
        break;
      case "auto":
        changes.autoAdvanceSec = value === "off" ? null : number(key, value);
        break;
      case "removes":
        changes.removeOutcomes = value.split(",").filter(Boolean) as never;
        break;
      case "name":
        changes.name = value;
        break;
      default:
        throw new UserError(`"${key}=" is not a queue setting. Use ${KEYS.map((k) => `${k}=`).join(", ")}.`);
    }
  }
  if (Object.keys(filter).length > 0) changes.filter = filter as never;
  return { name: nameWords.join(" "), changes };
}

export interface CallQueueCommandDeps extends Pick<ListenerBase, "log" | "clock"> {
  queueAdmin: QueueAdmin;
  queueRuns: Pick<QueueRuns, "start">;
  speedToLead: Pick<SpeedToLead, "limitMin" | "setLimit">;
  queueSupervision: Pick<QueueSupervision, "status">;
}

export function registerCallQueueCommand(app: App, deps: CallQueueCommandDeps): void {
  app.command("/call-queue", async ({ command, ack, respond, context }) => {
    const ws = workspaceOf(context);
    await answerCommand(deps, { ack, respond, command }, async () => {
      const text = (command.text ?? "").trim();
      const [verb = "", ...rest] = text.split(/\s+/);
      const after = rest.join(" ");
      switch (verb.toLowerCase()) {
        case "":
        case "help":
          return { text: QUEUE_HELP };
        case "list":
          return queueList(await deps.queueAdmin.list(ws));
        case "status":
          return queueStatus(await deps.queueSupervision.status(ws, command.user_id));
        case "new": {
          const { name, changes } = parseQueueText(after);
          if (!name && !changes.name)
            throw new UserError("Name the queue, e.g. `/call-queue new Zillow week source=Zillow`.");
          return queueSaved(await deps.queueAdmin.create(ws, command.user_id, { name, ...changes }), "created");
        }
        case "edit": {
          const { name, changes } = parseQueueText(after);
          return queueSaved(await deps.queueAdmin.edit(ws, command.user_id, name, changes), "saved");
        }
        case "delete":
          return queueRemoved(await deps.queueAdmin.remove(ws, command.user_id, after));
        case "speed": {
          if (!after) return speedLimitText(await deps.speedToLead.limitMin(ws), false);
          if (!/^\d{1,4}$/.test(after))
            throw new UserError("Give the speed-to-lead limit in whole minutes, e.g. `/call-queue speed 5`.");
          return speedLimitText(await deps.speedToLead.setLimit(ws, command.user_id, Number(after)), true);
        }
        default: {
          const run = await deps.queueRuns.start({
            ws,
            queue: text,
            agentId: command.user_id,
            channel: command.channel_id,
          });
          return runStarting(run.id);
        }
      }
    });
  });
}
