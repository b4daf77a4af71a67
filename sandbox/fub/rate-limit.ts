// FUB's rate limiting (docs.followupboss.com/reference/rate-limiting): "a sliding 10 second window";
// every answer says the limit, what remains, the window in seconds and the context; an endpoint is
// subject to one context; a 429 carries Retry-After, "how long to wait (in seconds) before retrying
// (or sending any other request)". Default limits from that page's "Default Settings" table.

/** null: no limit ("unlimited*" on FUB's table). */
export type ContextLimits = Record<string, number | null>;

/** With a registered X-System and X-System-Key. */
export const REGISTERED_LIMITS: ContextLimits = { "POST.events": null, events: 20, global: 250 };
/** "If you are making requests without a valid X-System-Key header, the allowed rate is much lower." */
export const UNREGISTERED_LIMITS: ContextLimits = { "POST.events": null, events: 10, global: 125 };

/** The one context an endpoint belongs to: POST /v1/events, GET /v1/events, or everything else. */
export function contextOf(method: string, path: string): string {
  if (path === "/v1/events") return method === "POST" ? "POST.events" : "events";
  return "global";
}

export interface Verdict {
  allowed: boolean;
  context: string;
  limit: number | null;
  remaining: number | null;
  /** Whole seconds until a slot frees up (only when refused). */
  retryAfter: number;
}

export const WINDOW_SECONDS = 10;

/** Requests per (key, context) in the last 10 seconds; a refused request is not counted. */
export class SlidingWindow {
  private readonly hits = new Map<string, number[]>();

  constructor(private readonly clock: () => number = Date.now) {}

  take(key: string, context: string, limit: number | null): Verdict {
    if (limit === null) return { allowed: true, context, limit, remaining: null, retryAfter: 0 };
    const now = this.clock();
    const id = `${key}\u0000${context}`;
    const recent = (this.hits.get(id) ?? []).filter((at) => at > now - WINDOW_SECONDS * 1000);
    this.hits.set(id, recent);
    if (recent.length >= limit) {
      const frees = recent[recent.length - limit]! + WINDOW_SECONDS * 1000;
      return { allowed: false, context, limit, remaining: 0, retryAfter: Math.max(1, Math.ceil((frees - now) / 1000)) };
    }
    recent.push(now);
    return { allowed: true, context, limit, remaining: limit - recent.length, retryAfter: 0 };
  }

  reset(): void {
    this.hits.clear();
  }
}

export function rateLimitHeaders(verdict: Verdict): Record<string, string> {
  const headers: Record<string, string> = {
    "X-RateLimit-Window": String(WINDOW_SECONDS),
    "X-RateLimit-Context": verdict.context,
  };
  if (verdict.limit !== null) {
    headers["X-RateLimit-Limit"] = String(verdict.limit);
    headers["X-RateLimit-Remaining"] = String(verdict.remaining);
  }
  if (!verdict.allowed) headers["Retry-After"] = String(verdict.retryAfter);
  return headers;
}

/**
 * Which keys were told to wait, until when. A request from a key before its Retry-After ran out is
 * "early": the simulator keeps it so a test can assert that a client honoured Retry-After.
 */
export class RetryAfterLedger {
  private readonly until = new Map<string, number>();

  constructor(private readonly clock: () => number = Date.now) {}

  told(key: string, seconds: number): void {
    this.until.set(key, Math.max(this.until.get(key) ?? 0, this.clock() + seconds * 1000));
  }

  /** Milliseconds the request came too soon, or 0. */
  earlyBy(key: string): number {
    return Math.max(0, (this.until.get(key) ?? 0) - this.clock());
  }
}
