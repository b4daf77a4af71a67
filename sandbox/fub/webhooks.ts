import { createHmac, randomUUID } from "node:crypto";
import type { FubStore, FubWebhook } from "./store.js";

// FUB's webhooks (docs.followupboss.com/reference/webhooks-guide): a thin JSON body — eventId,
// eventCreated, event, resourceIds, uri — POSTed to each URL registered for the event; "if one of
// these actions result in a large number of people being updated, the webhook event notification may
// be split into multiple requests". The signature is not on the part of FUB's page we could read:
// integrations quoting the guide, and several independent ones, compute FUB-Signature as the hex
// HMAC-SHA256, keyed with the registering system's X-System-Key, of the base64 of the raw body
// (see README.md). FUB expects a 2xx within 10 seconds.

/** The FUB-Signature header for a raw webhook body. */
export function fubSignature(rawBody: string, systemKey: string): string {
  return createHmac("sha256", systemKey).update(Buffer.from(rawBody, "utf8").toString("base64")).digest("hex");
}

export interface Delivery {
  webhookId: number;
  url: string;
  event: string;
  eventId: string;
  resourceIds: number[];
  /** The exact bytes sent, and their signature: a replay sends them again unchanged. */
  body: string;
  signature: string;
  /** The receiver's HTTP status, or null when it could not be reached. */
  status: number | null;
  error?: string;
  replay: boolean;
  at: number;
}

export interface EmitOptions {
  /** At most this many resource ids per request; more are split across several requests. */
  split?: number;
  /**
   * Whether the requests of one split batch share an eventId ("same") or each get their own
   * ("distinct", the default). FUB does not say; a client should cope with both.
   */
  eventIds?: "same" | "distinct";
}

const RESOURCE_PATHS: [RegExp, string][] = [
  [/^people/, "people"],
  [/^calls/, "calls"],
  [/^textMessages/, "textMessages"],
  [/^notes/, "notes"],
  [/^emails/, "emails"],
  [/^tasks/, "tasks"],
];

/** FUB's time format in webhook bodies, e.g. 2016-12-12T15:19:21+00:00. */
const eventTime = () => `${new Date().toISOString().slice(0, 19)}+00:00`;

export class WebhookEmitter {
  readonly deliveries: Delivery[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly store: FubStore,
    private readonly apiUrl: () => string,
    private readonly timeoutMs = 10_000,
  ) {}

  /** Posts `event` for these resources to every webhook registered for it; resolves when all answered. */
  emit(event: string, resourceIds: number[], options: EmitOptions = {}): Promise<Delivery[]> {
    const hooks = [...this.store.webhooks.values()].filter((hook) => hook.event === event);
    const size = Math.max(1, options.split ?? resourceIds.length);
    const chunks: number[][] = [];
    for (let i = 0; i < resourceIds.length; i += size) chunks.push(resourceIds.slice(i, i + size));
    const sharedId = randomUUID();
    const path = RESOURCE_PATHS.find(([pattern]) => pattern.test(event))?.[1] ?? "people";
    const sends = hooks.flatMap((hook) =>
      chunks.map((ids) => {
        const body = JSON.stringify({
          eventId: options.eventIds === "same" ? sharedId : randomUUID(),
          eventCreated: eventTime(),
          event,
          resourceIds: ids,
          uri: `${this.apiUrl()}/v1/${path}?id=${ids.join(",")}`,
        });
        return this.send(hook, event, ids, body, false);
      }),
    );
    return this.track(Promise.all(sends));
  }

  /** Sends a delivery's exact bytes and signature again, as a replaying attacker or a retrying FUB would. */
  replay(delivery: Delivery): Promise<Delivery> {
    const hook = this.store.webhooks.get(delivery.webhookId);
    if (!hook) return Promise.reject(new Error(`webhook ${delivery.webhookId} no longer exists`));
    return this.track(this.send(hook, delivery.event, delivery.resourceIds, delivery.body, true));
  }

  /** Resolves when every delivery started so far has been answered (or failed). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.inFlight.add(promise);
    return promise.finally(() => this.inFlight.delete(promise));
  }

  private async send(hook: FubWebhook, event: string, ids: number[], body: string, replay: boolean) {
    const system = this.store.systems.get(hook.system);
    const signature = fubSignature(body, system?.key ?? "");
    const { eventId } = JSON.parse(body) as { eventId: string };
    const delivery: Delivery = {
      webhookId: hook.id,
      url: hook.url,
      event,
      eventId,
      resourceIds: ids,
      body,
      signature,
      status: null,
      replay,
      at: Date.now(),
    };
    try {
      const res = await fetch(hook.url, {
        method: "POST",
        headers: { "content-type": "application/json", "fub-signature": signature },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await res.arrayBuffer();
      delivery.status = res.status;
    } catch (error) {
      delivery.error = error instanceof Error ? error.message : String(error);
    }
    this.deliveries.push(delivery);
    return delivery;
  }
}
