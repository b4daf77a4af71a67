import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import {
  type CrmCallLog,
  type CrmConnector,
  CrmError,
  type CrmPerson,
  type CrmProvider,
  type CrmProviderModule,
  type CrmWebhookEvent,
  type RateInfo,
} from "./connector.js";

// Follow Up Boss (docs.followupboss.com; the facts and what is unconfirmed: sandbox/fub/README.md).
// HTTP Basic with the API key as user name and a blank password (reference/authentication);
// X-System / X-System-Key on every request (reference/identification); 4xx bodies carry
// `errorMessage` (reference/error-responses); a 429's Retry-After in seconds, and the
// X-RateLimit-* headers on every answer (reference/rate-limiting).

const value = z.object({ value: z.string() });
const person = z.object({
  id: z.number().int(),
  name: z.string().nullish(),
  firstName: z.string().nullish(),
  lastName: z.string().nullish(),
  phones: z.array(value).nullish(),
  emails: z.array(value).nullish(),
  assignedUserId: z.number().int().nullish(),
  source: z.string().nullish(),
});
const people = z.object({ people: z.array(person) });
const user = z.object({ id: z.number().int(), name: z.string().nullish(), email: z.string().nullish() });
const users = z.object({ users: z.array(user), _metadata: z.object({ total: z.number() }).partial().nullish() });
const identity = z.object({
  account: z.object({ name: z.string().nullish(), domain: z.string().nullish(), owner: user.nullish() }),
  user,
});
const call = z.object({ id: z.number().int(), note: z.string().nullish() });
const calls = z.object({ calls: z.array(call) });
const created = z.object({ id: z.number().int() });
const text = z.object({ id: z.number().int(), message: z.string().nullish(), externalLabel: z.string().nullish() });
// FUB names its collections in lower case (`_metadata.collection`); accept the camel-cased key too.
const texts = z
  .object({ textmessages: z.array(text).optional(), textMessages: z.array(text).optional() })
  .transform((page) => page.textmessages ?? page.textMessages ?? []);
const webhook = z.object({
  eventId: z.union([z.string(), z.number()]).transform(String),
  event: z.string(),
  resourceIds: z.array(z.coerce.number().int().positive()).max(10_000),
  uri: z.string().url(),
});

export interface FubOptions {
  apiUrl: string;
  /** The integration's registered system (FUB_SYSTEM / FUB_SYSTEM_KEY); the key also signs webhooks. */
  system?: string;
  systemKey?: string;
  timeoutMs?: number;
}

const toPerson = (p: z.infer<typeof person>): CrmPerson => ({
  id: p.id,
  name: p.name?.trim() || [p.firstName, p.lastName].filter(Boolean).join(" ").trim(),
  phones: (p.phones ?? []).map((phone) => phone.value),
  emails: (p.emails ?? []).map((email) => email.value),
  assignedUserId: p.assignedUserId ?? null,
  source: p.source ?? null,
});

/** FUB's error as the outbox and setup act on it: its status, its Retry-After, its `errorMessage`. */
async function failure(res: Response): Promise<CrmError> {
  const text = await res.text().catch(() => "");
  let words = `HTTP ${res.status}`;
  try {
    const said = (JSON.parse(text) as { errorMessage?: unknown }).errorMessage;
    if (typeof said === "string" && said.trim()) words = said.trim().slice(0, 300);
  } catch {
    // A load balancer's HTML page: the status is all there is.
  }
  if (res.status === 429) {
    const seconds = Number(res.headers.get("retry-after"));
    return new CrmError(
      { kind: "rate-limited", retryAfterMs: Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 10_000 },
      words,
      429,
    );
  }
  if (res.status >= 500) return new CrmError({ kind: "unavailable", ambiguous: true }, words, res.status);
  if (res.status === 401) return new CrmError({ kind: "unauthorized" }, words, 401);
  return new CrmError({ kind: "refused" }, words, res.status);
}

function rateInfo(res: Response): RateInfo | undefined {
  const remaining = res.headers.get("x-ratelimit-remaining");
  const window = res.headers.get("x-ratelimit-window");
  if (remaining === null || window === null) return undefined;
  const info = { remaining: Number(remaining), windowMs: Number(window) * 1000 };
  return Number.isFinite(info.remaining) && Number.isFinite(info.windowMs) ? info : undefined;
}

/** A path with its query (URLSearchParams escapes the values). */
const at = (path: string, query: Record<string, string | number>) =>
  `${path}?${new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]))}`;
const CALLS = "/v1/calls";

function connectFub(options: FubOptions, apiKey: string, observe?: (info: RateInfo) => void): CrmConnector {
  const base = options.apiUrl.replace(/\/+$/, "");
  const headers: Record<string, string> = {
    authorization: `Basic ${Buffer.from(`${apiKey}:`).toString("base64")}`,
    accept: "application/json",
    ...(options.system ? { "x-system": options.system } : {}),
    ...(options.systemKey ? { "x-system-key": options.systemKey } : {}),
  };
  const request = async <T>(method: string, path: string, schema: z.ZodType<T>, body?: unknown): Promise<T> => {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: body === undefined ? headers : { ...headers, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      // A write that timed out or lost its connection may have been done: the outbox looks before resending.
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const refused = cause?.code === "ECONNREFUSED";
      const words =
        (error as Error).name === "TimeoutError"
          ? "no answer in time"
          : `no answer (${cause?.code ?? cause?.message ?? (error as Error).message})`;
      throw new CrmError({ kind: "unavailable", ambiguous: method !== "GET" && !refused }, words);
    }
    // A 429 says "remaining 0" too, but its Retry-After is what to wait (the outbox pauses for it).
    const info = res.status === 429 ? undefined : rateInfo(res);
    if (info) observe?.(info);
    if (!res.ok) throw await failure(res);
    let parsed: unknown;
    try {
      parsed = await res.json();
    } catch {
      throw new CrmError(
        { kind: "unavailable", ambiguous: method !== "GET" },
        "an answer that is not JSON",
        res.status,
      );
    }
    const checked = schema.safeParse(parsed);
    if (!checked.success) throw new CrmError({ kind: "refused" }, "an answer Leadline cannot read", res.status);
    return checked.data;
  };
  const callBody = (log: CrmCallLog) => ({
    personId: log.personId,
    phone: log.phone,
    isIncoming: log.isIncoming,
    outcome: log.outcome,
    note: log.note,
    duration: log.durationSec,
    fromNumber: log.fromNumber,
    toNumber: log.toNumber,
    ...(log.recordingUrl ? { recordingUrl: log.recordingUrl } : {}),
    ...(log.userId ? { userId: log.userId } : {}),
  });

  return {
    async identify() {
      const found = await request("GET", "/v1/identity", identity);
      return {
        accountName: found.account.name ?? found.account.domain ?? "",
        userId: found.user.id,
        userName: found.user.name ?? found.user.email ?? String(found.user.id),
        isOwner: found.account.owner?.id === found.user.id,
      };
    },
    async users() {
      const all: { id: number; name: string; email: string }[] = [];
      for (let offset = 0; offset < 10_000; offset += 100) {
        const page = await request("GET", at("/v1/users", { limit: 100, offset }), users);
        for (const u of page.users) if (u.email) all.push({ id: u.id, name: u.name ?? u.email, email: u.email });
        if (page.users.length < 100) break;
      }
      return all;
    },
    async findPersonByPhone(phone) {
      const found = await request("GET", at("/v1/people", { phone, limit: 100 }), people);
      return found.people.map(toPerson);
    },
    async upsertPerson(input) {
      const made = await request("POST", "/v1/people", person, {
        name: input.name,
        phones: [{ value: input.phone, isPrimary: true }],
        ...(input.email ? { emails: [{ value: input.email }] } : {}),
        ...(input.assignedUserId ? { assignedUserId: input.assignedUserId } : {}),
      });
      return toPerson(made);
    },
    async peopleAt(uri) {
      // Only FUB's people endpoint on the configured API, whatever host the body names: the key never
      // goes anywhere a webhook body points it.
      const url = new URL(uri);
      if (url.pathname !== "/v1/people")
        throw new CrmError({ kind: "refused" }, "a webhook uri that is not /v1/people");
      const ids = (url.searchParams.get("id") ?? "").split(",").filter((id) => /^\d+$/.test(id));
      if (ids.length === 0) return [];
      const found: CrmPerson[] = [];
      for (let i = 0; i < ids.length; i += 100) {
        const chunk = ids.slice(i, i + 100).join(",");
        found.push(...(await request("GET", at("/v1/people", { id: chunk, limit: 100 }), people)).people.map(toPerson));
      }
      return found;
    },
    async logCall(log, remoteId) {
      if (remoteId !== undefined) return (await request("PUT", `${CALLS}/${remoteId}`, created, callBody(log))).id;
      return (await request("POST", CALLS, created, callBody(log))).id;
    },
    async findLoggedCall(personId, marker) {
      for (let offset = 0; offset < 2_000; offset += 100) {
        const page = await request("GET", at(CALLS, { personId, limit: 100, offset }), calls);
        const found = page.calls.find((c) => c.note?.includes(marker));
        if (found) return found.id;
        if (page.calls.length < 100) return undefined;
      }
      return undefined;
    },
    async logText(log) {
      return (
        await request("POST", "/v1/textMessages", created, {
          personId: log.personId,
          message: log.message,
          isIncoming: log.isIncoming,
          fromNumber: log.fromNumber,
          toNumber: log.toNumber,
          externalLabel: log.label,
        })
      ).id;
    },
    async findLoggedText(personId, marker) {
      for (let offset = 0; offset < 2_000; offset += 100) {
        const page = await request("GET", at("/v1/textMessages", { personId, limit: 100, offset }), texts);
        const found = page.find((t) => t.externalLabel?.includes(marker) || t.message?.includes(marker));
        if (found) return found.id;
        if (page.length < 100) return undefined;
      }
      return undefined;
    },
    async registerWebhooks(url, events) {
      const ids: number[] = [];
      for (const event of events) ids.push((await request("POST", "/v1/webhooks", created, { event, url })).id);
      return ids;
    },
  };
}

/** FUB-Signature: hex HMAC-SHA256 of the base64 of the raw body, keyed with the X-System-Key. */
export function fubSignature(rawBody: Buffer, systemKey: string): string {
  return createHmac("sha256", systemKey).update(rawBody.toString("base64")).digest("hex");
}

export function createFubProvider(options: FubOptions): CrmProvider {
  return {
    id: "fub",
    name: "Follow Up Boss",
    peopleEvents: { created: "peopleCreated", updated: "peopleUpdated" },
    connect: (apiKey, observe) => connectFub(options, apiKey, observe),
    verifyWebhook(rawBody, headers) {
      const given = headers["fub-signature"];
      if (!options.systemKey || typeof given !== "string" || !/^[0-9a-f]{64}$/i.test(given)) return false;
      const expected = Buffer.from(fubSignature(rawBody, options.systemKey), "hex");
      return timingSafeEqual(expected, Buffer.from(given.toLowerCase(), "hex"));
    },
    parseWebhook(rawBody): CrmWebhookEvent | undefined {
      try {
        const parsed = webhook.safeParse(JSON.parse(rawBody.toString("utf8")));
        return parsed.success ? parsed.data : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

const httpUrl = z
  .string()
  .trim()
  .url("must be an http(s) URL of the Follow Up Boss API")
  .refine((value) => /^https?:\/\//.test(value), { message: "must be an http(s) URL of the Follow Up Boss API" });

/** FUB's variables: its API (the simulator's address in tests and the sandbox) and Leadline's system registration. */
const fubEnv = z
  .object({
    FUB_API_URL: httpUrl.transform((value) => value.replace(/\/+$/, "")).default("https://api.followupboss.com"),
    /** The integration's registered system name and key (X-System / X-System-Key); the key signs FUB's webhooks. */
    FUB_SYSTEM: z.string().trim().min(1).max(100).optional(),
    FUB_SYSTEM_KEY: z
      .string()
      .trim()
      .min(8, "must be the system key Follow Up Boss gave when you registered")
      .optional(),
  })
  .transform((env): FubOptions => ({ apiUrl: env.FUB_API_URL, system: env.FUB_SYSTEM, systemKey: env.FUB_SYSTEM_KEY }));

/** Follow Up Boss in the registry (providers.ts). */
export const fubModule: CrmProviderModule<FubOptions> = {
  id: "fub",
  name: "Follow Up Boss",
  env: fubEnv,
  setup: {
    credential: { kind: "api-key", label: "API key", whereInCrm: "Admin → API → Create API Key" },
    webhooksNeed: "the account owner",
  },
  create: (options, runtime) => createFubProvider({ ...options, timeoutMs: runtime.timeoutMs }),
};
