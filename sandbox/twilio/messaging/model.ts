import type { Json } from "../model.js";
import { rfc2822 } from "../rest-kit.js";

export { segmentsOf } from "../../../src/lib/segments.js";

/**
 * What the simulated Twilio keeps for texting: Messaging Services (their senders, status callback,
 * inbound URL and US A2P campaign), the messages, and the account's opt-out list.
 * Sources: https://www.twilio.com/docs/messaging/api/message-resource,
 * https://www.twilio.com/docs/messaging/api/service-resource,
 * https://www.twilio.com/docs/messaging/api/usapptoperson-resource,
 * https://www.twilio.com/docs/messaging/tutorials/advanced-opt-out.
 */

/** A2P 10DLC campaign statuses as the UsAppToPerson resource reports them. */
export type CampaignStatus = "PENDING" | "IN_PROGRESS" | "VERIFIED" | "FAILED" | "SUSPENDED";

export interface SimCampaign {
  sid: string;
  status: CampaignStatus;
  /** Why a registration failed, as Twilio lists it: `[{ code, description, fields }]`. */
  errors: Json[];
  useCase: string;
  created: Date;
}

export interface SimMessagingService {
  sid: string;
  accountSid: string;
  friendlyName: string;
  /** Sender pool (E.164 numbers of the account). */
  senders: string[];
  statusCallback?: string;
  inboundRequestUrl?: string;
  /** Advanced Opt-Out: inbound keywords carry OptOutType. On by default here. */
  advancedOptOut: boolean;
  /** Advanced Opt-Out's custom confirmation words per keyword (else Twilio's defaults, KEYWORD_REPLIES). */
  optOutReplies?: Partial<Record<"STOP" | "START" | "HELP", string>>;
  campaign?: SimCampaign;
  created: Date;
}

export interface SimMessage {
  sid: string;
  accountSid: string;
  to: string;
  from: string | null;
  body: string;
  media: string[];
  /** outbound-reply: Twilio's own answer to a STOP/START/HELP keyword. */
  direction: "outbound-api" | "outbound-reply" | "inbound";
  status: string;
  errorCode: number | null;
  errorMessage: string | null;
  messagingServiceSid: string | null;
  statusCallback?: string;
  segments: number;
  created: Date;
  sent?: Date;
}

/** Statuses after which a message never changes again. */
export const FINAL_MESSAGE: ReadonlySet<string> = new Set([
  "delivered",
  "undelivered",
  "failed",
  "received",
  "canceled",
]);

/** Twilio's standard keywords (https://help.twilio.com/articles/223134027). */
export const STOP_WORDS = new Set(["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"]);
export const START_WORDS = new Set(["START", "YES", "UNSTOP"]);
export const HELP_WORDS = new Set(["HELP", "INFO"]);

/**
 * Twilio's default replies to the keywords on long codes, sent by Twilio itself at no cost
 * (https://help.twilio.com/articles/223134027; Advanced Opt-Out changes their words per Messaging Service).
 */
export const KEYWORD_REPLIES = {
  STOP: "You have successfully been unsubscribed. You will not receive any more messages from this number. Reply START to resubscribe.",
  START:
    "You have successfully been re-subscribed to messages from this number. Reply HELP for help. Reply STOP to unsubscribe. Msg&Data Rates May Apply.",
  HELP: "Reply STOP to unsubscribe. Msg&Data Rates May Apply.",
} as const;

/** STOP / START / HELP for a body that is exactly one keyword (case and surrounding space ignored). */
export function optOutTypeOf(body: string): "STOP" | "START" | "HELP" | undefined {
  const word = body.trim().toUpperCase();
  if (STOP_WORDS.has(word)) return "STOP";
  if (START_WORDS.has(word)) return "START";
  if (HELP_WORDS.has(word)) return "HELP";
  return undefined;
}

export function messageJson(message: SimMessage): Json {
  return {
    sid: message.sid,
    account_sid: message.accountSid,
    to: message.to,
    from: message.from,
    body: message.body,
    status: message.status,
    direction: message.direction,
    error_code: message.errorCode,
    error_message: message.errorMessage,
    messaging_service_sid: message.messagingServiceSid,
    num_segments: String(message.segments),
    num_media: String(message.media.length),
    price: null,
    price_unit: "USD",
    api_version: "2010-04-01",
    date_created: rfc2822(message.created),
    date_updated: rfc2822(new Date()),
    date_sent: message.sent ? rfc2822(message.sent) : null,
    uri: `/2010-04-01/Accounts/${message.accountSid}/Messages/${message.sid}.json`,
    subresource_uris: { media: `/2010-04-01/Accounts/${message.accountSid}/Messages/${message.sid}/Media.json` },
  };
}

export function serviceJson(service: SimMessagingService): Json {
  return {
    sid: service.sid,
    account_sid: service.accountSid,
    friendly_name: service.friendlyName,
    status_callback: service.statusCallback ?? null,
    inbound_request_url: service.inboundRequestUrl ?? null,
    inbound_method: "POST",
    use_inbound_webhook_on_number: false,
    us_app_to_person_registered: service.campaign?.status === "VERIFIED",
    date_created: service.created.toISOString().replace(/\.\d{3}Z$/, "Z"),
    date_updated: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
    url: `https://messaging.twilio.com/v1/Services/${service.sid}`,
  };
}

export function campaignJson(service: SimMessagingService, campaign: SimCampaign): Json {
  return {
    sid: campaign.sid,
    account_sid: service.accountSid,
    messaging_service_sid: service.sid,
    brand_registration_sid: `BN${campaign.sid.slice(2)}`,
    description: "Real estate agents follow up with people who asked about a home.",
    us_app_to_person_usecase: campaign.useCase,
    campaign_status: campaign.status,
    campaign_id: campaign.status === "VERIFIED" ? "CABCDEF" : null,
    errors: campaign.errors,
    has_embedded_links: false,
    has_embedded_phone: true,
    date_created: campaign.created.toISOString().replace(/\.\d{3}Z$/, "Z"),
    date_updated: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
    url: `https://messaging.twilio.com/v1/Services/${service.sid}/Compliance/Usa2p/${campaign.sid}`,
  };
}
