import type { Json, NumberSettings, SimAccount } from "./model.js";
import { rfc2822, sidFrom } from "./rest-kit.js";

/**
 * The account's phone numbers as IncomingPhoneNumber resources: each number's SID, friendly name,
 * capabilities and URL fields, seeded (`addNumber`), updated and released. Properties as in
 * Twilio's OpenAPI spec (twilio-oai spec/json/twilio_api_v2010.json @ d50069b,
 * api.v2010.account.incoming_phone_number, and its FetchIncomingPhoneNumber example).
 * https://www.twilio.com/docs/phone-numbers/api/incomingphonenumber-resource
 */

/** A number to seed an account with: the number, and optionally how it is set up. */
export interface NumberInput {
  phoneNumber: string;
  friendlyName?: string;
  voiceUrl?: string;
  smsUrl?: string;
  capabilities?: Partial<NumberSettings["capabilities"]>;
}

/**
 * Numbers in several US states (555-01xx, reserved for fiction) for seeding an account's pool:
 * Miami FL (305, 786), New York NY (212), Austin TX (512), San Francisco CA (415), Chicago IL (312),
 * Oklahoma City OK (405), Baltimore MD (410).
 */
export const SAMPLE_NUMBERS: readonly string[] = [
  "+13055550100",
  "+17865550100",
  "+12125550100",
  "+15125550100",
  "+14155550100",
  "+13125550100",
  "+14055550100",
  "+14105550100",
];

/** The URL and method fields IncomingPhoneNumbers update sets, and each one's JSON name and default. */
export const NUMBER_FIELDS: Record<string, { json: string; fallback: string | null; url?: true }> = {
  VoiceMethod: { json: "voice_method", fallback: "POST" },
  VoiceFallbackUrl: { json: "voice_fallback_url", fallback: null, url: true },
  VoiceFallbackMethod: { json: "voice_fallback_method", fallback: "POST" },
  SmsUrl: { json: "sms_url", fallback: "", url: true },
  SmsMethod: { json: "sms_method", fallback: "POST" },
  SmsFallbackUrl: { json: "sms_fallback_url", fallback: "", url: true },
  SmsFallbackMethod: { json: "sms_fallback_method", fallback: "POST" },
  StatusCallback: { json: "status_callback", fallback: "", url: true },
  StatusCallbackMethod: { json: "status_callback_method", fallback: "POST" },
  VoiceApplicationSid: { json: "voice_application_sid", fallback: "" },
  SmsApplicationSid: { json: "sms_application_sid", fallback: "" },
};

export const numberSid = (phoneNumber: string) => sidFrom("PN", phoneNumber);

/** "(305) 555-0100" for a North American number, as Twilio names a number by default; else the number. */
export function defaultFriendlyName(phoneNumber: string): string {
  const nanp = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(phoneNumber);
  return nanp ? `(${nanp[1]}) ${nanp[2]}-${nanp[3]}` : phoneNumber;
}

/** The number's settings, made with Twilio's defaults the first time they are needed. */
export function numberSettings(account: SimAccount, phoneNumber: string): NumberSettings {
  account.numberSettings ??= new Map();
  let settings = account.numberSettings.get(phoneNumber);
  if (!settings) {
    settings = {
      friendlyName: defaultFriendlyName(phoneNumber),
      capabilities: { voice: true, sms: true, mms: false, fax: false },
      fields: {},
      created: new Date(),
      updated: new Date(),
    };
    account.numberSettings.set(phoneNumber, settings);
  }
  return settings;
}

/** Puts a number on the account (or changes how an existing one is set up). */
export function addNumber(account: SimAccount, input: NumberInput | string): void {
  const number = typeof input === "string" ? { phoneNumber: input } : input;
  account.numbers.add(number.phoneNumber);
  const settings = numberSettings(account, number.phoneNumber);
  if (number.friendlyName) settings.friendlyName = number.friendlyName;
  if (number.capabilities) settings.capabilities = { ...settings.capabilities, ...number.capabilities };
  if (number.smsUrl !== undefined) settings.fields.SmsUrl = number.smsUrl;
  if (number.voiceUrl !== undefined) {
    account.voiceUrls ??= new Map();
    account.voiceUrls.set(number.phoneNumber, number.voiceUrl);
  }
}

/** Releases a number: it leaves the account with its settings; calls from it are refused (21210) after. */
export function releaseNumber(account: SimAccount, phoneNumber: string): void {
  account.numbers.delete(phoneNumber);
  account.voiceUrls?.delete(phoneNumber);
  account.numberSettings?.delete(phoneNumber);
}

export function numberJson(account: SimAccount, phoneNumber: string): Json {
  const settings = numberSettings(account, phoneNumber);
  const fields = Object.fromEntries(
    Object.entries(NUMBER_FIELDS).map(([param, field]) => [field.json, settings.fields[param] ?? field.fallback]),
  );
  return {
    account_sid: account.sid,
    address_requirements: "none",
    address_sid: null,
    api_version: "2010-04-01",
    beta: false,
    capabilities: settings.capabilities,
    date_created: rfc2822(settings.created),
    date_updated: rfc2822(settings.updated),
    emergency_status: "Inactive",
    emergency_address_sid: null,
    emergency_address_status: "unregistered",
    friendly_name: settings.friendlyName,
    identity_sid: null,
    origin: "twilio",
    phone_number: phoneNumber,
    sid: numberSid(phoneNumber),
    ...fields,
    trunk_sid: null,
    uri: `/2010-04-01/Accounts/${account.sid}/IncomingPhoneNumbers/${numberSid(phoneNumber)}.json`,
    voice_caller_id_lookup: false,
    voice_url: account.voiceUrls?.get(phoneNumber) ?? null,
    voice_receive_mode: "voice",
    status: "in-use",
    bundle_sid: null,
    type: "local",
  };
}
