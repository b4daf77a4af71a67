import type { RateInfo } from "./connector.js";

/**
 * One process's view of each workspace's CRM rate limit: the last answer's remaining count and
 * window (FUB: X-RateLimit-Remaining / -Window, a sliding window), the requests in flight, and a
 * pause set by a 429's Retry-After ("wait that long before retrying or sending any other request").
 * Other instances learn of a pause from the database (CrmConnection.pausedUntil), at their next claim.
 */
export class RateBudget {
  private readonly state = new Map<
    number,
    { remaining?: number; windowMs?: number; seenAt?: number; inflight: number; pausedUntil: number }
  >();

  constructor(private readonly now: () => number) {}

  private of(ws: number) {
    let found = this.state.get(ws);
    if (!found) {
      found = { inflight: 0, pausedUntil: 0 };
      this.state.set(ws, found);
    }
    return found;
  }

  observe(ws: number, info: RateInfo): void {
    const s = this.of(ws);
    s.remaining = info.remaining;
    s.windowMs = info.windowMs;
    s.seenAt = this.now();
  }

  /** No request before `now + ms`; returns the instant. */
  pause(ws: number, ms: number): number {
    const s = this.of(ws);
    s.pausedUntil = Math.max(s.pausedUntil, this.now() + ms);
    return s.pausedUntil;
  }

  /** How long to wait before the next request (0: go). */
  waitMs(ws: number): number {
    const s = this.of(ws);
    const now = this.now();
    if (s.pausedUntil > now) return s.pausedUntil - now;
    // The window was spent (counting what is in flight): wait until the answer that said so is a window old.
    if (s.remaining !== undefined && s.seenAt !== undefined && s.windowMs !== undefined) {
      const freeAt = s.seenAt + s.windowMs;
      if (s.remaining - s.inflight <= 0 && freeAt > now) return freeAt - now;
    }
    return 0;
  }

  begin(ws: number): void {
    this.of(ws).inflight += 1;
  }

  end(ws: number): void {
    const s = this.of(ws);
    s.inflight = Math.max(0, s.inflight - 1);
    // Each request spends one of the window's requests: the next answer will say how many are left.
    if (s.remaining !== undefined) s.remaining = Math.max(0, s.remaining);
  }
}
