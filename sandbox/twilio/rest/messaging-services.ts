import { campaignJson, serviceJson } from "../messaging/model.js";
import { notFound, type RestResult } from "../rest-kit.js";
import type { RestRequest, RestRoute } from "./route.js";

/**
 * Messaging v1 (messaging.twilio.com; the account is the one authenticating): Services list and fetch,
 * and a Service's US A2P campaign (Compliance/Usa2p) list. https://www.twilio.com/docs/messaging/api/service-resource,
 * https://www.twilio.com/docs/messaging/api/usapptoperson-resource
 */

const ownService = ({ ctx, account, match }: RestRequest) => {
  const service = ctx.messagingServices.get(match[1]!);
  return service && service.accountSid === account.sid ? service : undefined;
};

function v1List(request: RestRequest, key: string, items: Record<string, unknown>[]): RestResult {
  const url = `${request.ctx.baseUrl}${request.path}?PageSize=50&Page=0`;
  return {
    status: 200,
    body: {
      [key]: items,
      meta: { page: 0, page_size: 50, first_page_url: url, previous_page_url: null, url, next_page_url: null, key },
    },
  };
}

export const messagingServiceRoutes: RestRoute[] = [
  {
    operation: "messagingServices",
    api: "v1",
    method: "GET",
    path: /^\/v1\/Services$/,
    handle: (request) =>
      v1List(
        request,
        "services",
        [...request.ctx.messagingServices.values()]
          .filter((service) => service.accountSid === request.account.sid)
          .map(serviceJson),
      ),
  },
  {
    operation: "messagingServices",
    api: "v1",
    method: "GET",
    path: /^\/v1\/Services\/(MG[0-9a-f]{32})$/,
    handle: (request) => {
      const service = ownService(request);
      return service ? { status: 200, body: serviceJson(service) } : notFound();
    },
  },
  {
    operation: "usa2p",
    api: "v1",
    method: "GET",
    path: /^\/v1\/Services\/(MG[0-9a-f]{32})\/Compliance\/Usa2p$/,
    handle: (request) => {
      const service = ownService(request);
      if (!service) return notFound();
      return v1List(request, "compliance", service.campaign ? [campaignJson(service, service.campaign)] : []);
    },
  },
];
