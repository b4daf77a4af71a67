import { endCallNow } from "../call-status.js";
import type { SimContext } from "../context.js";
import { FINAL, type Json, newCall, type SimAccount, type SimCall } from "../model.js";
import { startPlaying } from "../outbound.js";
import { E164, notFound, randomSid, restError, rfc2822 } from "../rest-kit.js";
import { readTwiml } from "../twiml-reader.js";
import { CREATE_PARAMS, MAGIC_TO } from "./call-rules.js";
import type { RestRequest, RestRoute } from "./route.js";

/**
 * The Call resource: create (Twilio's validation and error codes), list (filters, newest first, paged),
 * fetch and update (new TwiML, or end the call). https://www.twilio.com/docs/voice/api/call-resource
 */

/** The call as Twilio's REST API returns it. */
export function callJson(call: SimCall): Json {
  return {
    sid: call.sid,
    account_sid: call.accountSid,
    to: call.to,
    from: call.from,
    status: call.status,
    direction: call.direction,
    parent_call_sid: call.parentSid ?? null,
    answered_by: call.answeredBy,
    duration: call.duration === undefined ? null : String(call.duration),
    price:
      call.price !== undefined
        ? call.price
        : call.endedAt && call.duration
          ? `-${(Math.ceil(call.duration / 60) * 0.014).toFixed(5)}`
          : null,
    price_unit: "USD",
    start_time: call.answeredAt ? rfc2822(new Date(call.answeredAt)) : null,
    end_time: call.endedAt ? rfc2822(call.endedAt) : null,
    date_created: rfc2822(call.created),
    date_updated: rfc2822(new Date()),
    api_version: "2010-04-01",
    uri: `/2010-04-01/Accounts/${call.accountSid}/Calls/${call.sid}.json`,
    ...call.extra,
  };
}

/** Writes one REST field into the call: the fields the simulator models change the call itself. */
function setRestField(call: SimCall, key: string, value: unknown): void {
  if (key === "status") call.status = String(value);
  else if (key === "answered_by") call.answeredBy = value === null ? null : String(value);
  else if (key === "duration") call.duration = value === null || value === undefined ? undefined : Number(value);
  else if (key === "price") call.price = value === null || value === undefined ? null : String(value);
  else call.extra[key] = value;
}

/** The call as a live REST resource: reading shows what Twilio would answer, writing changes the call. */
export function liveResource(call: SimCall): Json {
  return new Proxy({} as Json, {
    get: (_target, key) => (typeof key === "string" ? callJson(call)[key] : undefined),
    set: (_target, key, value) => {
      if (typeof key === "string") setRestField(call, key, value);
      return true;
    },
    has: (_target, key) => typeof key === "string" && key in callJson(call),
    ownKeys: () => Object.keys(callJson(call)),
    getOwnPropertyDescriptor: (_target, key) =>
      typeof key === "string" && key in callJson(call)
        ? { value: callJson(call)[key], enumerable: true, configurable: true, writable: true }
        : undefined,
  });
}

/** A TwiML document Twilio would refuse: its 12100 error, else undefined. */
function twimlError(twiml: string) {
  try {
    readTwiml(twiml);
    return undefined;
  } catch (error) {
    return restError(400, 12100, `Document parse failure: ${(error as Error).message}`);
  }
}

/** Calls create: Twilio's validation and error codes, then the call (played out or held). */
export function createCall(ctx: SimContext, account: SimAccount, params: URLSearchParams) {
  for (const key of params.keys()) {
    if (!CREATE_PARAMS.has(key)) return restError(400, 21205, `Unknown parameter ${key}`);
  }
  const to = params.get("To");
  const from = params.get("From");
  if (!to) return restError(400, 21201, "No 'To' number is specified");
  if (!from) return restError(400, 21213, "No 'From' number is specified");
  const twiml = params.get("Twiml") ?? "";
  const appSid = params.get("ApplicationSid");
  if (!twiml && !params.get("Url") && !appSid) return restError(400, 21205, "Url, Twiml or ApplicationSid is required");
  if (twiml.length > 4000) return restError(400, 21230, "Twiml exceeds 4000 characters");
  const malformed = twiml ? twimlError(twiml) : undefined;
  if (malformed) return malformed;
  if (appSid && !account.apps.has(appSid)) return restError(400, 21218, "Invalid ApplicationSid");
  // A From that is not a phone number at all is 21212; one that is not (or no longer) the account's is 21210.
  if (!E164.test(from)) return restError(400, 21212, `The 'From' number ${from} is not a valid phone number.`);
  if (!account.numbers.has(from))
    return restError(400, 21210, `The source phone number provided, ${from}, is not yet verified for your account.`);
  const magic = MAGIC_TO[to];
  if (magic) return restError(400, magic[0], magic[1]);
  if (!E164.test(to)) return restError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
  const call = newCall({
    sid: randomSid("CA"),
    accountSid: account.sid,
    to,
    from,
    direction: "outbound-api",
    status: "queued",
    params,
    twiml,
  });
  call.held = (account.callFlow ?? ctx.callFlow) === "hold";
  ctx.calls.set(call.sid, call);
  ctx.note(call, `call created to ${to} (${call.held ? "held: it plays out when asked" : ctx.scenario(to).describe})`);
  // Twilio answers a create with the call still `queued`; the call moves on only after the answer.
  const body = callJson(call);
  if (!call.held) startPlaying(ctx, call);
  return { status: 201, body };
}

function updateCall(ctx: SimContext, call: SimCall, params: URLSearchParams) {
  if (FINAL.has(call.status)) return restError(400, 21220, "Call is not in-progress. Cannot redirect.");
  const twiml = params.get("Twiml");
  if (twiml) {
    const malformed = twimlError(twiml);
    if (malformed) return malformed;
    call.twiml = twiml;
    call.documentUrl = undefined;
    call.generation += 1;
  }
  const status = params.get("Status");
  if (status === "completed" || status === "canceled") endCallNow(ctx, call, "call update");
  return { status: 200, body: callJson(call) };
}

/** Calls list: To, From, ParentCallSid and StartTime> filters, newest first, a page at a time. */
function listCalls({ ctx, account, path, query }: RestRequest) {
  const after = query.get("StartTime>");
  const list = [...ctx.calls.values()].filter(
    (call) =>
      call.accountSid === account.sid &&
      (!query.get("To") || call.to === query.get("To")) &&
      (!query.get("From") || call.from === query.get("From")) &&
      (!query.get("ParentCallSid") || call.parentSid === query.get("ParentCallSid")) &&
      (!after || call.created.getTime() >= new Date(after).getTime() - 86_400_000),
  );
  list.sort((a, b) => b.created.getTime() - a.created.getTime());
  return { status: 200, body: page(list.map(callJson), "calls", path, query) };
}

/**
 * One page of a 2010 API list, as Twilio pages: Page and PageSize (default 50, at most 1,000), and a
 * next_page_uri that repeats the query. https://www.twilio.com/docs/usage/twilios-response#pagination
 */
export function page(items: Json[], key: string, path: string, query: URLSearchParams): Json {
  const pageSize = Math.min(1000, Math.max(1, Number(query.get("PageSize") ?? 50) || 50));
  const number = Math.max(0, Number(query.get("Page") ?? 0) || 0);
  const slice = items.slice(number * pageSize, (number + 1) * pageSize);
  const more = (number + 1) * pageSize < items.length;
  const next = new URLSearchParams(query);
  next.set("Page", String(number + 1));
  next.set("PageSize", String(pageSize));
  return {
    [key]: slice,
    page: number,
    page_size: pageSize,
    next_page_uri: more ? `${path}?${next}` : null,
    uri: path,
  };
}

const ownCall = ({ ctx, account, match }: RestRequest) => {
  const call = ctx.calls.get(match[1]!);
  return call && call.accountSid === account.sid ? call : undefined;
};

export const callRoutes: RestRoute[] = [
  {
    operation: "createCall",
    method: "POST",
    path: /^\/Calls\.json$/,
    handle: ({ ctx, account, params }) => createCall(ctx, account, params),
  },
  { operation: "listCalls", method: "GET", path: /^\/Calls\.json$/, handle: listCalls },
  {
    operation: "fetchCall",
    method: "GET",
    path: /^\/Calls\/(CA[0-9a-f]{32})\.json$/,
    handle: (request) => {
      const call = ownCall(request);
      return call ? { status: 200, body: callJson(call) } : notFound();
    },
  },
  {
    operation: "updateCall",
    method: "POST",
    path: /^\/Calls\/(CA[0-9a-f]{32})\.json$/,
    handle: (request) => {
      const call = ownCall(request);
      return call ? updateCall(request.ctx, call, request.params) : notFound();
    },
  },
];
