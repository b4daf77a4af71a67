import type { CallQueue } from "@prisma/client";
import type { Clock } from "../../lib/clock.js";
import { UserError } from "../../lib/errors.js";
import type { AuditService } from "../audit/audit-store.js";
import type { AdminGate } from "../setup/admin-gate.js";
import { parseStoredFilter, type QueueSettingsInput, queueSettingsSchema } from "./queue-filter.js";
import type { QueueStore } from "./queue-store.js";

/** The admin's side of queues: create, edit, delete (admins only; every refusal says what to fix). */
export interface QueueAdmin {
  create(ws: number, by: string, input: QueueSettingsInput): Promise<CallQueue>;
  /** Changes the named fields of a queue (by name, or by id from App Home); the rest keep their values. */
  edit(ws: number, by: string, which: string | number, changes: Partial<QueueSettingsInput>): Promise<CallQueue>;
  remove(ws: number, by: string, which: string | number): Promise<CallQueue>;
  list(ws: number): Promise<CallQueue[]>;
  /** The queue an admin's form opens on (undefined: a new one); refused for anyone but an admin. */
  editable(ws: number, by: string, id?: number): Promise<CallQueue | undefined>;
}

function validated(input: QueueSettingsInput) {
  const parsed = queueSettingsSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "queue"}: ${issue.message}`);
  // Per setting too (its path: "name", "filter.state", …), so a form can say each beside its field.
  const fields = Object.fromEntries(parsed.error.issues.map((issue) => [issue.path.join("."), issue.message]));
  throw UserError.of("queue_invalid", { problems, fields });
}

export function createQueueAdmin(deps: {
  store: QueueStore;
  gate: AdminGate;
  audit: AuditService;
  clock: Clock;
}): QueueAdmin {
  const existing = async (ws: number, which: string | number) => {
    const queue = typeof which === "number" ? await deps.store.byId(ws, which) : await deps.store.byName(ws, which);
    if (!queue)
      throw UserError.of(typeof which === "number" ? "queue_gone" : "queue_missing", { name: which, names: [] });
    return queue;
  };
  const taken = (name: string) => UserError.of("queue_name_taken", { name });

  return {
    async create(ws, by, input) {
      await deps.gate.require(ws, by, "queues", { action: "create" });
      const settings = validated(input);
      const queue = await deps.store.create(ws, settings, by);
      if (!queue) throw taken(settings.name);
      await deps.audit.record(ws, by, "queue.created", { queueId: queue.id });
      return queue;
    },
    async edit(ws, by, which, changes) {
      await deps.gate.require(ws, by, "queues", { action: "edit" });
      const queue = await existing(ws, which);
      const name = queue.name;
      const settings = validated({
        name: queue.name,
        filter: parseStoredFilter(queue.filter),
        orderBy: queue.orderBy as QueueSettingsInput["orderBy"],
        recallGapMin: queue.recallGapMin,
        maxAttempts: queue.maxAttempts,
        removeOutcomes: queue.removeOutcomes.split(",").filter(Boolean) as QueueSettingsInput["removeOutcomes"],
        autoAdvanceSec: queue.autoAdvanceSec,
        ...changes,
      });
      const saved = await deps.store.update(ws, queue.id, settings);
      if (saved === undefined) throw taken(settings.name);
      if (saved === false) throw UserError.of("queue_gone_meanwhile", { name });
      await deps.audit.record(ws, by, "queue.edited", { queueId: queue.id, fields: Object.keys(changes) });
      return saved;
    },
    async remove(ws, by, which) {
      await deps.gate.require(ws, by, "queues", { action: "delete" });
      const queue = await existing(ws, which);
      await deps.store.remove(ws, queue.id, deps.clock.now());
      await deps.audit.record(ws, by, "queue.deleted", { queueId: queue.id });
      return queue;
    },
    list: (ws) => deps.store.list(ws),
    async editable(ws, by, id) {
      await deps.gate.require(ws, by, "queues", { action: id === undefined ? "create" : "edit" });
      return id === undefined ? undefined : existing(ws, id);
    },
  };
}
