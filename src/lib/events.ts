import type { TaskTracker } from "./tasks.js";

/** Where a new lead came from (see services/leads/lead-intake.ts). */
export type LeadOriginEvent =
  | { kind: "slack"; userId: string; channel?: string }
  | { kind: "api"; source?: string; submittedAt?: Date }
  | { kind: "crm"; system: string; submittedAt?: Date };

/**
 * What happened in the domain, told after it is stored (the emitter emits once its write returned,
 * i.e. after commit). Subscribers run later, each as its own tracked task: a slow or failing
 * subscriber never delays or fails the operation that emitted, and shutdown waits for them.
 *
 * Events are in-process notifications, not a durable log: work that must survive a crash between the
 * commit and the subscriber (an outbox row, a scheduled retry) is written in the emitter's own
 * transaction, and the subscriber only hurries it along.
 */
export interface LeadlineEvents {
  /** Twilio accepted an outbound call (its SID is stored). */
  "call.placed": { ws: number; callId: number };
  /** A call's stored state moved (status, a leg, who answered, a fact): what shows it should catch up. */
  "call.moved": { ws: number; callId: number };
  /** A call reached a final status (completed, busy, no-answer, failed, canceled), once per call. */
  "call.ended": { ws: number; callId: number; status: string };
  /** A call's recording is in (the first "completed" recording callback claimed it): its transcript may be asked for. */
  "call.recorded": { ws: number; callId: number };
  /** A call's outcome was recorded or changed (after the call ended). */
  "call.outcome": { ws: number; callId: number };
  /** An inbound call (a lead calling back) ended: answered by an agent or missed. */
  "inbound.ended": { ws: number; inboundCallId: number; answered: boolean };
  /** A new lead was stored (not one the lead API already had). */
  "lead.created": { ws: number; leadId: number; origin: LeadOriginEvent };
  /** A text's stored status moved (Twilio's callback): its message in Slack should catch up. */
  "text.moved": { ws: number; textId: number };
  /** An inbound text was stored: the text outbox posts it (in order, paced). */
  "text.received": { ws: number; textId: number };
  /** A lead's details changed (names the fields). */
  "lead.changed": { ws: number; leadId: number; fields: string[]; by: string };
  /** A queue run changed (started, a lead offered, called, skipped, an outcome, ended): its card catches up. */
  "queue.changed": { ws: number; runId: number };
  /** A caller-ID pool number can no longer be used: released in Twilio, or its calls back no longer reach Leadline. */
  "callerid.number_dropped": { ws: number; number: string; reason: "released" | "not_routing" };
  /** A number joined the caller-ID pool (and, with texting set up, the Messaging Service's senders). */
  "callerid.number_added": { ws: number; number: string };
}

export type EventName = keyof LeadlineEvents;
export type EventHandler<K extends EventName> = (payload: LeadlineEvents[K]) => Promise<void> | void;

export interface EventBus {
  on<K extends EventName>(name: K, handler: EventHandler<K>): () => void;
  emit<K extends EventName>(name: K, payload: LeadlineEvents[K]): void;
}

export function createEventBus(tasks: Pick<TaskTracker, "run">): EventBus {
  const handlers = new Map<EventName, Set<EventHandler<EventName>>>();
  return {
    on(name, handler) {
      const set = handlers.get(name) ?? new Set();
      set.add(handler as EventHandler<EventName>);
      handlers.set(name, set);
      return () => set.delete(handler as EventHandler<EventName>);
    },
    emit(name, payload) {
      for (const handler of handlers.get(name) ?? []) tasks.run(async () => handler(payload));
    },
  };
}
