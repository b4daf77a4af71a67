import type { Json } from "../model.js";
import { notFound, type RestResult } from "../rest-kit.js";
import { assignmentJson, bundleJson, type SimTrustBundle } from "../trust-hub.js";
import type { RestRequest, RestRoute } from "./route.js";

/**
 * Trust Hub's read side (trusthub.twilio.com/v1; the account is the one authenticating):
 * CustomerProfiles and TrustProducts list (Status, FriendlyName, PolicySid filters) and fetch, and
 * their ChannelEndpointAssignments list (ChannelEndpointSid, ChannelEndpointSids) and fetch.
 * Operations and list shape ({results, meta}): twilio-oai spec/json/twilio_trusthub_v1.json @ d50069b.
 */

/** A page of a v1 list, as Twilio's newer APIs page: results and meta with absolute page URLs. */
function v1Page(request: RestRequest, items: Json[]): RestResult {
  const { ctx, path, query } = request;
  const pageSize = Math.min(1000, Math.max(1, Number(query.get("PageSize") ?? 50) || 50));
  const number = Math.max(0, Number(query.get("Page") ?? 0) || 0);
  const at = (n: number) => {
    const q = new URLSearchParams(query);
    q.set("PageSize", String(pageSize));
    q.set("Page", String(n));
    return `${ctx.baseUrl}${path}?${q}`;
  };
  const more = (number + 1) * pageSize < items.length;
  return {
    status: 200,
    body: {
      results: items.slice(number * pageSize, (number + 1) * pageSize),
      meta: {
        page: number,
        page_size: pageSize,
        first_page_url: at(0),
        previous_page_url: number > 0 ? at(number - 1) : null,
        url: at(number),
        next_page_url: more ? at(number + 1) : null,
        key: "results",
      },
    },
  };
}

function routesFor(collection: "TrustProducts" | "CustomerProfiles"): RestRoute[] {
  const kind: SimTrustBundle["kind"] = collection === "TrustProducts" ? "trust-product" : "customer-profile";
  const bundle = ({ ctx, account, match }: RestRequest) => {
    const found = ctx.trustBundles.get(match[1]!);
    return found?.accountSid === account.sid && found.kind === kind ? found : undefined;
  };
  const base = `^\\/v1\\/${collection}`;
  return [
    {
      operation: "trustHub",
      api: "v1",
      method: "GET",
      path: new RegExp(`${base}$`),
      handle: (request) => {
        const { ctx, account, query } = request;
        const list = [...ctx.trustBundles.values()].filter(
          (b) =>
            b.accountSid === account.sid &&
            b.kind === kind &&
            (!query.get("Status") || b.status === query.get("Status")) &&
            (!query.get("FriendlyName") || b.friendlyName === query.get("FriendlyName")) &&
            (!query.get("PolicySid") || b.policySid === query.get("PolicySid")),
        );
        return v1Page(
          request,
          list.map((b) => bundleJson(ctx, b)),
        );
      },
    },
    {
      operation: "trustHub",
      api: "v1",
      method: "GET",
      path: new RegExp(`${base}\\/(BU[0-9a-f]{32})$`),
      handle: (request) => {
        const found = bundle(request);
        return found ? { status: 200, body: bundleJson(request.ctx, found) } : notFound();
      },
    },
    {
      operation: "trustHub",
      api: "v1",
      method: "GET",
      path: new RegExp(`${base}\\/(BU[0-9a-f]{32})\\/ChannelEndpointAssignments$`),
      handle: (request) => {
        const found = bundle(request);
        if (!found) return notFound();
        const one = request.query.get("ChannelEndpointSid");
        const many = request.query.get("ChannelEndpointSids")?.split(",");
        const list = [...found.assignments.values()].filter(
          (a) => (!one || a.channelEndpointSid === one) && (!many || many.includes(a.channelEndpointSid)),
        );
        return v1Page(
          request,
          list.map((a) => assignmentJson(request.ctx, found, a)),
        );
      },
    },
    {
      operation: "trustHub",
      api: "v1",
      method: "GET",
      path: new RegExp(`${base}\\/(BU[0-9a-f]{32})\\/ChannelEndpointAssignments\\/(RA[0-9a-f]{32})$`),
      handle: (request) => {
        const found = bundle(request);
        const assignment = found?.assignments.get(request.match[2]!);
        return found && assignment ? { status: 200, body: assignmentJson(request.ctx, found, assignment) } : notFound();
      },
    },
  ];
}

export const trustHubRoutes: RestRoute[] = [...routesFor("TrustProducts"), ...routesFor("CustomerProfiles")];
