import { conferenceJson, type SimConference } from "../conferences/model.js";
import { endConference } from "../conferences/room.js";
import type { SimContext } from "../context.js";
import type { SimAccount } from "../model.js";
import { notFound, type RestResult, restError } from "../rest-kit.js";
import { page } from "./calls.js";
import type { RestRequest, RestRoute } from "./route.js";

/**
 * The Conference resource: list (Status, FriendlyName, DateCreated/DateUpdated filters, newest
 * first), fetch, and update (Status=completed ends it, as "conference-ended-via-api").
 * https://www.twilio.com/docs/voice/api/conference-resource; parameters from twilio-oai
 * spec/json/twilio_api_v2010.json @ d50069b (ListConference, UpdateConference).
 */

export const CONFERENCE_SID = /^CF[0-9a-f]{32}$/;
const UPDATE_PARAMS = new Set(["Status", "AnnounceUrl", "AnnounceMethod"]);

/** The conference a path names by SID, if it is this account's. */
export function ownConference(ctx: SimContext, account: SimAccount, sid: string): SimConference | undefined {
  const conference = ctx.conferences.get(sid);
  return conference?.accountSid === account.sid ? conference : undefined;
}

/** A YYYY-MM-DD filter on an RFC date: "=" that UTC day, "<" on or before, ">" on or after. */
function onDay(date: Date, query: URLSearchParams, name: string): boolean {
  const day = date.toISOString().slice(0, 10);
  const exact = query.get(name);
  const before = query.get(`${name}<`);
  const after = query.get(`${name}>`);
  return (!exact || day === exact) && (!before || day <= before) && (!after || day >= after);
}

function listConferences({ ctx, account, path, query }: RestRequest): RestResult {
  const list = [...ctx.conferences.values()].filter(
    (conference) =>
      conference.accountSid === account.sid &&
      (!query.get("Status") || conference.status === query.get("Status")) &&
      (!query.get("FriendlyName") || conference.friendlyName === query.get("FriendlyName")) &&
      onDay(conference.created, query, "DateCreated") &&
      onDay(conference.updated, query, "DateUpdated"),
  );
  list.sort((a, b) => b.created.getTime() - a.created.getTime());
  return { status: 200, body: page(list.map(conferenceJson), "conferences", path, query) };
}

function updateConference({ ctx, account, match, params }: RestRequest): RestResult {
  const conference = ownConference(ctx, account, match[1]!);
  if (!conference) return notFound();
  for (const key of params.keys()) {
    if (!UPDATE_PARAMS.has(key)) return restError(400, 21205, `Unknown parameter ${key}`);
  }
  const status = params.get("Status");
  if (status !== null && status !== "completed") return restError(400, 16002, `Invalid Status ${status}`);
  if (conference.status === "completed") return restError(400, 16022, "Conference does not exist or is completed");
  if (params.get("AnnounceUrl")) conference.updated = new Date();
  if (status === "completed") {
    // Ending sets the conference completed at once; the participants' leave events follow.
    void endConference(ctx, conference, "conference-ended-via-api");
  }
  return { status: 200, body: conferenceJson(conference) };
}

export const conferenceRoutes: RestRoute[] = [
  { operation: "listConferences", method: "GET", path: /^\/Conferences\.json$/, handle: listConferences },
  {
    operation: "fetchConference",
    method: "GET",
    path: /^\/Conferences\/(CF[0-9a-f]{32})\.json$/,
    handle: ({ ctx, account, match }) => {
      const conference = ownConference(ctx, account, match[1]!);
      return conference ? { status: 200, body: conferenceJson(conference) } : notFound();
    },
  },
  {
    operation: "updateConference",
    method: "POST",
    path: /^\/Conferences\/(CF[0-9a-f]{32})\.json$/,
    handle: updateConference,
  },
];
