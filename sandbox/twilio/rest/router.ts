import type { IncomingMessage, ServerResponse } from "node:http";
import type { SimContext } from "../context.js";
import type { SimAccount } from "../model.js";
import { injectedError, notFound, type RestResult, restError, sleep } from "../rest-kit.js";
import { accountRoutes } from "./accounts.js";
import { callRoutes } from "./calls.js";
import { conferenceRoutes } from "./conferences.js";
import { intelligenceRoutes } from "./intelligence.js";
import { messageRoutes } from "./messages.js";
import { messagingServiceRoutes } from "./messaging-services.js";
import { participantRoutes } from "./participants.js";
import { phoneNumberRoutes } from "./phone-numbers.js";
import { recordingRoutes } from "./recordings.js";
import type { RestRoute } from "./route.js";
import { trustHubRoutes } from "./trust-hub.js";

/**
 * The REST API's front door: Basic authentication with the account's SID and Auth Token (20003
 * otherwise), the recorded request, injected faults, the route, then any injected delay.
 * Intelligence…: a new resource is a module with its routes, added to ROUTES.
 */
const ROUTES: RestRoute[] = [
  ...accountRoutes,
  ...callRoutes,
  ...recordingRoutes,
  ...phoneNumberRoutes,
  ...conferenceRoutes,
  ...participantRoutes,
  ...trustHubRoutes,
  ...messageRoutes,
  ...messagingServiceRoutes,
  ...intelligenceRoutes,
];

const V2010 = /^\/2010-04-01\/Accounts\/([^/]+?)(?:\.json|(\/.+))$/;

interface Resolved {
  route?: RestRoute;
  match?: RegExpExecArray;
  /** The account SID the path names (2010 API), else undefined. */
  pathAccount?: string;
}

function resolve(method: string, pathname: string): Resolved {
  const v2010 = V2010.exec(pathname);
  const sub = v2010 ? (v2010[2] ?? "") : undefined;
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const match =
      (route.api ?? "2010") === "2010" ? (sub === undefined ? null : route.path.exec(sub)) : route.path.exec(pathname);
    if (match) return { route, match, pathAccount: v2010?.[1] };
  }
  return { pathAccount: v2010?.[1] };
}

function basicAuth(req: IncomingMessage): { user: string; pass: string } | undefined {
  const header = req.headers.authorization ?? "";
  const decoded = header.startsWith("Basic ") ? Buffer.from(header.slice(6), "base64").toString("utf8") : "";
  const colon = decoded.indexOf(":");
  return colon > 0 ? { user: decoded.slice(0, colon), pass: decoded.slice(colon + 1) } : undefined;
}

/** An injected failure of any operation (`faults.failNext`): Twilio's error body, the operation not done. */
function injectedFailure(ctx: SimContext, operation: string, run: () => RestResult): RestResult | "drop" | undefined {
  const drop = ctx.faults.dropNext?.get(operation);
  if (drop && drop.count > 0) {
    drop.count -= 1;
    if (drop.count <= 0) ctx.faults.dropNext?.delete(operation);
    if (drop.performs) run();
    return "drop";
  }
  const failure = ctx.faults.failNext.get(operation);
  if (!failure || failure.count <= 0) return undefined;
  failure.count -= 1;
  if (failure.count <= 0) ctx.faults.failNext.delete(operation);
  if (failure.performs) run();
  return failure.message
    ? restError(failure.status, failure.code, failure.message)
    : injectedError(failure.status, failure.code);
}

/**
 * Injected faults: for Calls create, a dropped socket ("drop") or an error body, each maybe after
 * placing the call (dropNextCreates, failNextCreates); for every operation, `failNext`.
 */
function injectedFault(ctx: SimContext, route: RestRoute, run: () => RestResult): RestResult | "drop" | undefined {
  if (route.operation !== "createCall") return injectedFailure(ctx, route.operation, run);
  const { faults } = ctx;
  if (faults.dropNextCreates > 0) {
    faults.dropNextCreates -= 1;
    // Twilio got the request (and maybe placed the call), but the answer never arrives.
    if (faults.dropPlacesCall) run();
    return "drop";
  }
  const failure = faults.failNextCreates;
  if (!failure || failure.count <= 0) return injectedFailure(ctx, route.operation, run);
  failure.count -= 1;
  if (failure.count <= 0) faults.failNextCreates = undefined;
  if (failure.placesCall) run();
  return injectedError(failure.status, failure.code);
}

export async function handleRest(
  ctx: SimContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  raw: string,
  send: (res: ServerResponse, status: number, body: RestResult["body"]) => void,
): Promise<void> {
  const method = req.method ?? "GET";
  const params = new URLSearchParams(raw);
  const auth = basicAuth(req);
  if (ctx.recordRequests) {
    ctx.requests.push({
      method,
      path: url.pathname,
      query: url.searchParams,
      params,
      accountSid: auth?.user,
      at: Date.now(),
    });
  }
  const { route, match, pathAccount } = resolve(method, url.pathname);
  const operation = route?.operation ?? "unknown";
  const delay = async () => {
    const ms = ctx.faults.delays.get(operation) ?? ctx.faults.delays.get("*") ?? 0;
    if (ms > 0) await sleep(ms);
    await ctx.faults.holds?.get(operation)?.catch(() => {});
  };
  const account: SimAccount | undefined = ctx.accounts.get(pathAccount ?? auth?.user ?? "");
  let result: RestResult;
  if (pathAccount === undefined && !route) {
    result = notFound();
  } else if (!auth || !account || auth.user !== account.sid || auth.pass !== account.authToken) {
    result = restError(401, 20003, "Authenticate");
  } else if (!route || !match) {
    result = notFound();
  } else {
    const run = () => route.handle({ ctx, account, match, path: url.pathname, query: url.searchParams, params });
    const fault = injectedFault(ctx, route, run);
    if (fault === "drop") {
      await delay();
      req.socket.destroy();
      return;
    }
    result = fault ?? run();
  }
  await delay();
  send(res, result.status, result.body);
}
