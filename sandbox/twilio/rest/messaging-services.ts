import { campaignJson, type SimMessagingService, serviceJson } from "../messaging/model.js";
import type { SimAccount } from "../model.js";
import { numberSettings, numberSid } from "../numbers.js";
import { notFound, type RestResult, restError, rfc2822 } from "../rest-kit.js";
import type { RestRequest, RestRoute } from "./route.js";

/**
 * Messaging v1 (messaging.twilio.com; the account is the one authenticating): Services list and fetch,
 * a Service's US A2P campaign (Compliance/Usa2p) list, and its sender pool (PhoneNumbers list and add).
 * https://www.twilio.com/docs/messaging/api/service-resource,
 * https://www.twilio.com/docs/messaging/api/usapptoperson-resource,
 * https://www.twilio.com/docs/messaging/api/phonenumber-resource (a number belongs to one service at a
 * time: 21712, https://www.twilio.com/docs/api/errors/21712; an invalid PN SID: 21421; a number
 * without SMS or MMS: 21715; already in the service: 80104, "PhoneNumber has already been added to Service").
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

/** A sender as the PhoneNumbers subresource shows it (released numbers have left every service). */
function senderJson(request: RestRequest, service: SimMessagingService, number: string) {
  const settings = numberSettings(request.account, number);
  const sid = numberSid(number);
  return {
    sid,
    account_sid: service.accountSid,
    service_sid: service.sid,
    date_created: rfc2822(settings.created),
    date_updated: rfc2822(settings.updated),
    phone_number: number,
    country_code: number.startsWith("+1") ? "US" : null,
    capabilities: Object.entries(settings.capabilities)
      .filter(([, on]) => on)
      .map(([name]) => name.toUpperCase()),
    url: `${request.ctx.baseUrl}/v1/Services/${service.sid}/PhoneNumbers/${sid}`,
  };
}

const sendersOf = (account: SimAccount, service: SimMessagingService) =>
  service.senders.filter((number) => account.numbers.has(number));

function addSender(request: RestRequest): RestResult {
  const service = ownService(request);
  if (!service) return notFound();
  const sid = request.params.get("PhoneNumberSid") ?? "";
  const number = [...request.account.numbers].find((n) => numberSid(n) === sid);
  if (!number) return restError(400, 21421, "Phone Number is invalid");
  const caps = numberSettings(request.account, number).capabilities;
  if (!caps.sms && !caps.mms)
    return restError(400, 21715, "Phone Number Does Not Have Correct Messaging Service Capabilities");
  if (sendersOf(request.account, service).includes(number))
    return restError(400, 80104, "PhoneNumber has already been added to Service");
  for (const other of request.ctx.messagingServices.values())
    if (
      other !== service &&
      other.accountSid === request.account.sid &&
      sendersOf(request.account, other).includes(number)
    )
      return restError(400, 21712, "Phone Number or Short Code is associated with another Messaging Service.");
  service.senders = [...sendersOf(request.account, service), number];
  return { status: 201, body: senderJson(request, service, number) };
}

export const messagingServiceRoutes: RestRoute[] = [
  {
    operation: "messagingServicePhoneNumbers",
    api: "v1",
    method: "GET",
    path: /^\/v1\/Services\/(MG[0-9a-f]{32})\/PhoneNumbers$/,
    handle: (request) => {
      const service = ownService(request);
      if (!service) return notFound();
      const numbers = sendersOf(request.account, service).map((n) => senderJson(request, service, n));
      return v1List(request, "phone_numbers", numbers);
    },
  },
  {
    operation: "messagingServicePhoneNumbers",
    api: "v1",
    method: "POST",
    path: /^\/v1\/Services\/(MG[0-9a-f]{32})\/PhoneNumbers$/,
    handle: addSender,
  },
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
