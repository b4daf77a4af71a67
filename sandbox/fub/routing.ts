import type { z } from "zod";
import type { FubStore, FubSystem, FubUser } from "./store.js";

// What a route handler sees and answers, and the answers FUB's reference describes for all of them:
// errors as JSON with an "errorMessage" key (reference/error-responses), lists with `_metadata` and
// limit/offset paging (users-get: limit "Defaults to 10 … Max 100", offset "Defaults to 0").

export interface Answer {
  status: number;
  body?: unknown;
}

export interface Ctx {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  user: FubUser;
  /** The registered system the request identified itself as, if its X-System-Key matched. */
  system: FubSystem | undefined;
  store: FubStore;
  apiUrl: string;
  /** Announces a change to webhooks (when the simulator emits automatically). */
  changed(event: string, ids: number[]): void;
}

export interface Route {
  method: string;
  /** e.g. "/v1/people/:id"; also the operation name faults are scripted against ("GET /v1/people/:id"). */
  pattern: string;
  /** Only registered systems may call it (textmessages-1: "Restricted - Registered Systems Only"). */
  registeredOnly?: boolean;
  handle(ctx: Ctx, params: Record<string, string>): Answer;
}

export const fail = (status: number, errorMessage: string): Answer => ({ status, body: { errorMessage } });

export function matchRoute(
  routes: Route[],
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | undefined {
  const parts = path.split("/");
  for (const route of routes) {
    if (route.method !== method) continue;
    const pattern = route.pattern.split("/");
    if (pattern.length !== parts.length) continue;
    if (!pattern.every((p, i) => p.startsWith(":") || p === parts[i])) continue;
    const params: Record<string, string> = {};
    pattern.forEach((p, i) => {
      if (p.startsWith(":")) params[p.slice(1)] = decodeURIComponent(parts[i]!);
    });
    return { route, params };
  }
  return undefined;
}

/** One page of a collection, shaped as FUB's list answers are. */
export function page<T>(ctx: Ctx, collection: string, items: T[]): Answer {
  const limit = Math.min(100, Math.max(1, Number(ctx.query.get("limit")) || 10));
  const offset = Math.max(0, Number(ctx.query.get("offset")) || 0);
  const more = offset + limit < items.length;
  const nextQuery = new URLSearchParams(ctx.query);
  nextQuery.set("offset", String(offset + limit));
  nextQuery.set("limit", String(limit));
  return {
    status: 200,
    body: {
      _metadata: {
        collection,
        offset,
        limit,
        total: items.length,
        next: null,
        nextLink: more ? `${ctx.apiUrl}${ctx.path}?${nextQuery}` : null,
      },
      [collection]: items.slice(offset, offset + limit),
    },
  };
}

/** The body checked against `schema`; the first problem worded as a FUB errorMessage. */
export function parseBody<T>(
  schema: z.ZodType<T>,
  body: unknown,
): { ok: true; value: T } | { ok: false; answer: Answer } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, answer: fail(400, "The request body must be a JSON object.") };
  }
  const result = schema.safeParse(body);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0]!;
  const field = issue.path.join(".");
  const given = issue.path.reduce<unknown>((value, key) => (value as Record<PropertyKey, unknown>)?.[key], body);
  if (given === undefined) return { ok: false, answer: fail(400, `${field} is required.`) };
  const allowed = "values" in issue ? ` Allowed values: ${(issue.values as unknown[]).join(", ")}.` : "";
  return { ok: false, answer: fail(400, `Invalid value for ${field}: ${JSON.stringify(given)}.${allowed}`) };
}

export function numericId(value: string | undefined): number | undefined {
  const id = Number(value);
  return Number.isInteger(id) && id > 0 ? id : undefined;
}
