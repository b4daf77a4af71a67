// Slack's Web API rate limits, per method, per workspace (team), per app
// (https://docs.slack.dev/apis/web-api/rate-limits). A method over its limit is answered HTTP 429
// with `{"ok":false,"error":"ratelimited"}` and a Retry-After header "containing the number of
// seconds until you can retry".
//
// Tiers (requests per minute; "+" in Slack's table: at least this many, bursts tolerated):
//   Tier 1: 1+, Tier 2: 20+, Tier 3: 50+, Tier 4: 100+.
// Each method's tier is the one its reference page gives (docs.slack.dev/reference/methods/<name>,
// "Rate limits"), as tabulated by slackapi/java-slack-sdk's MethodsRateLimits.java. Special tiers:
//   chat.postMessage: "generally allows posting one message per second per channel, while also
//     maintaining a workspace-wide limit" ("several hundred messages per minute"; short bursts over
//     one a second are allowed: https://docs.slack.dev/reference/methods/chat.postMessage#rate_limiting).
//   auth.test, chat.getPermalink: "hundreds of requests per minute".
// How large a burst and how many "several hundred" are is not documented: the numbers below are
// this simulator's choice (a burst of 5 posts a channel, 300 posts a minute a workspace, 600 a
// minute for the "hundreds" methods).

type Json = Record<string, unknown>;

/** Requests per Slack minute per tier. */
export const TIERS = { 1: 1, 2: 20, 3: 50, 4: 100 } as const;

/** The limit of each method the simulator knows: a tier, or a special number per minute. */
export const METHOD_LIMITS: Record<string, { tier: keyof typeof TIERS } | { perMinute: number }> = {
  "api.test": { tier: 4 },
  "auth.test": { perMinute: 600 },
  "oauth.v2.access": { tier: 4 },
  "chat.postMessage": { perMinute: 300 },
  "chat.postEphemeral": { tier: 4 },
  "chat.update": { tier: 3 },
  "chat.delete": { tier: 3 },
  "chat.getPermalink": { perMinute: 600 },
  "conversations.info": { tier: 3 },
  "conversations.open": { tier: 3 },
  "users.info": { tier: 4 },
  "users.lookupByEmail": { tier: 3 },
  "views.open": { tier: 4 },
  "views.push": { tier: 4 },
  "views.update": { tier: 4 },
  "views.publish": { tier: 4 },
  "files.getUploadURLExternal": { tier: 4 },
  "files.completeUploadExternal": { tier: 4 },
  "files.delete": { tier: 3 },
};

/** chat.postMessage's per-channel limit: one a second, with a short burst. */
export const POST_PER_CHANNEL = { perSecond: 1, burst: 5 };

export interface RateLimitOptions {
  /**
   * How many times faster than real time Slack's clock runs: 1 (the default) is Slack's own pace;
   * 30 makes a Slack minute last two real seconds, so a test sees minutes of Slack traffic in
   * seconds. Retry-After is always given in real seconds (whole, at least 1, as HTTP has it), so
   * a client that waits what it is told is never early.
   */
  timeScale?: number;
  /**
   * A request that arrives within this many real milliseconds of the 429 on its limit was already
   * on its way when the 429 left: it is refused too, but not counted as early. Default 250.
   */
  inFlightMs?: number;
  /** Requests per Slack minute, per method, replacing the table's (a test's tighter limit). */
  perMinute?: Record<string, number>;
  /** Real time in milliseconds (tests). */
  now?: () => number;
}

export interface RateDecision {
  /** Set when the request is refused: the Retry-After header, in whole seconds. */
  retryAfter?: number;
  /** The request came while a Retry-After given on one of its limits was still running. */
  early?: boolean;
}

interface Limit {
  /** Slack-time milliseconds until a request would be allowed; 0 when allowed now. */
  wait(now: number): number;
  take(now: number): void;
}

/** At most `count` requests in any `windowMs` (Slack time). */
function slidingWindow(count: number, windowMs: number): Limit {
  const times: number[] = [];
  const prune = (now: number) => {
    while (times.length > 0 && times[0]! <= now - windowMs) times.shift();
  };
  return {
    wait(now) {
      prune(now);
      return times.length < count ? 0 : times[0]! + windowMs - now;
    },
    take(now) {
      times.push(now);
    },
  };
}

/** `perSecond` on average, up to `burst` at once (Slack time). */
function tokenBucket(perSecond: number, burst: number): Limit {
  let tokens = burst;
  let at = Number.NEGATIVE_INFINITY;
  const refill = (now: number) => {
    tokens = at === Number.NEGATIVE_INFINITY ? burst : Math.min(burst, tokens + ((now - at) / 1000) * perSecond);
    at = now;
  };
  return {
    wait(now) {
      refill(now);
      return tokens >= 1 ? 0 : ((1 - tokens) / perSecond) * 1000;
    },
    take(now) {
      refill(now);
      tokens -= 1;
    },
  };
}

/** Every limit a simulated Slack keeps, by key ("T123 chat.update", "T123 chat.postMessage C42"). */
export class RateLimits {
  readonly timeScale: number;
  private readonly inFlightMs: number;
  private readonly now: () => number;
  private readonly started: number;
  private readonly limits = new Map<string, Limit>();
  /** Per key: when the last 429 was given (real ms) and until when its Retry-After runs. */
  private readonly told = new Map<string, { at: number; until: number }>();

  constructor(private readonly options: RateLimitOptions) {
    this.timeScale = options.timeScale ?? 1;
    this.inFlightMs = options.inFlightMs ?? 250;
    this.now = options.now ?? Date.now;
    this.started = this.now();
  }

  /** Slack's clock, in milliseconds. */
  slackNow(): number {
    return this.started + (this.now() - this.started) * this.timeScale;
  }

  private limit(key: string, make: () => Limit): Limit {
    let limit = this.limits.get(key);
    if (!limit) {
      limit = make();
      this.limits.set(key, limit);
    }
    return limit;
  }

  /** The limits one call of `method` counts against. */
  private limitsFor(method: string, team: string, args: Json): [string, Limit][] {
    const override = this.options.perMinute?.[method];
    const known = METHOD_LIMITS[method];
    const perMinute = override ?? (known ? ("tier" in known ? TIERS[known.tier] : known.perMinute) : undefined);
    const keys: [string, Limit][] = [];
    if (perMinute !== undefined) {
      const key = `${team} ${method}`;
      keys.push([key, this.limit(key, () => slidingWindow(perMinute, 60_000))]);
    }
    if (method === "chat.postMessage") {
      const key = `${team} ${method} ${String(args.channel ?? "")}`;
      // Retry-After comes in whole real seconds: a sped-up Slack lets the burst hold at least what one
      // real second earns, or a client waiting what it is told would get less than one a Slack second.
      const { perSecond, burst } = POST_PER_CHANNEL;
      keys.push([key, this.limit(key, () => tokenBucket(perSecond, Math.max(burst, perSecond * this.timeScale)))]);
    }
    return keys;
  }

  /** Counts one request: allowed (and counted), or refused with the seconds to wait. */
  take(method: string, team: string, args: Json): RateDecision {
    const real = this.now();
    const slack = this.slackNow();
    const limits = this.limitsFor(method, team, args);
    const early = limits.some(([key]) => {
      const told = this.told.get(key);
      return told !== undefined && real > told.at + this.inFlightMs && real < told.until;
    });
    const wait = Math.max(0, ...limits.map(([, limit]) => limit.wait(slack)));
    if (wait === 0) {
      for (const [, limit] of limits) limit.take(slack);
      return early ? { early } : {};
    }
    const retryAfter = Math.max(1, Math.ceil(wait / this.timeScale / 1000));
    for (const [key, limit] of limits) {
      if (limit.wait(slack) === 0) continue;
      // A 429 while one is already running keeps the first one's time: in flight is judged from it.
      const running = this.told.get(key);
      const at = running && running.until > real ? running.at : real;
      this.told.set(key, { at, until: Math.max(running?.until ?? 0, real + retryAfter * 1000) });
    }
    return { retryAfter, ...(early ? { early } : {}) };
  }
}
