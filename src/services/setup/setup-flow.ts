import { dialCheck, dialRefusal, parsePhone } from "../../lib/phone.js";
import type { AuditService } from "../audit/audit-store.js";
import { parseDays, parseTeamWindow } from "../compliance/calling-law.js";
import { minutesOf as minutes } from "../compliance/rules.js";
import type { SecretStore } from "../store/secrets.js";
import { isAmbiguousTwilioFailure, type TwilioClientFactory, toTwilioError } from "../twilio/client.js";
import { type AdminGate, AdminOnly } from "./admin-gate.js";
import type { SettingKey, SettingsService, TwilioSettings } from "./settings.js";
import { DEFAULT_CALL_MESSAGE, TWILIO_SETTINGS } from "./settings.js";

export type FieldErrors = Partial<Record<SettingKey, string>>;
/** What the admin typed; blank means "keep what is stored". */
export type SetupInput = Partial<Record<SettingKey, string | undefined>>;

const CLEARABLE: SettingKey[] = [
  "agentPhone",
  "apiKeySid",
  "apiKeySecret",
  "twimlAppSid",
  "voicemailMessage",
  "leadsChannel",
  "callingWindow",
  "callingDays",
  "teamCountries",
  "messagingServiceSid",
  "textTeamName",
  "textHelp",
  "textStopConfirmation",
  "textTemplates",
  "textBack",
];
const MAX_MESSAGE = 1000;

const FORMATS: Partial<Record<SettingKey, [RegExp, string]>> = {
  leadsChannel: [/^[CG][A-Z0-9]{6,}$/, "A channel ID is C or G followed by letters and digits, e.g. C012AB3CD"],
  accountSid: [
    /^AC[0-9a-f]{32}$/i,
    "An Account SID is AC followed by 32 characters 0-9 and a-f (Twilio Console → Account Info)",
  ],
  authToken: [/^[0-9A-Za-z]{32}$/, "An Auth Token is 32 letters and digits (Twilio Console → Account Info)"],
  apiKeySid: [/^SK[0-9a-f]{32}$/i, "An API Key SID is SK followed by 32 characters 0-9 and a-f"],
  apiKeySecret: [/^[0-9A-Za-z]{32}$/, "An API Key Secret is 32 letters and digits, shown once when the key is created"],
  twimlAppSid: [/^AP[0-9a-f]{32}$/i, "A TwiML App SID is AP followed by 32 characters 0-9 and a-f"],
  messagingServiceSid: [
    /^MG[0-9a-f]{32}$/i,
    "A Messaging Service SID is MG followed by 32 characters 0-9 and a-f (Twilio Console → Messaging → Services)",
  ],
};

/**
 * Checks formats and merges the input over what is stored: a blank keeps the stored value, `none`
 * removes an optional one. Returns the settings as they would be saved (null = remove).
 */
/** One setting as an admin typed it: its stored form, or what to fix. "none" clears a clearable one. */
function checkSetting(
  key: SettingKey,
  raw: string,
  defaultCountry: string,
  allowedCountries: readonly string[],
): { value: string | null } | { error: string } {
  if (CLEARABLE.includes(key) && raw.toLowerCase() === "none") return { value: null };
  if (key === "phoneNumber" || key === "agentPhone") {
    const phone = parsePhone(raw, defaultCountry);
    if (!phone.ok) return { error: `"${raw}" is not a callable number: ${phone.reason}.` };
    // The agent phone is dialled (bridge calls, key 1): it passes the same toll-fraud guard as a lead's.
    const check = key === "agentPhone" ? dialCheck(phone.e164, allowedCountries) : undefined;
    return check && !check.ok ? { error: dialRefusal(check, phone.e164) } : { value: phone.e164 };
  }
  if (key === "recording") return { value: raw === "on" ? "on" : "off" };
  if (key === "callMessage" || key === "menuMessage" || key === "voicemailMessage")
    return raw.length > MAX_MESSAGE
      ? { error: `Keep the message under ${MAX_MESSAGE} characters (it has ${raw.length}).` }
      : { value: raw };
  if (key === "callingWindow") {
    const window = parseTeamWindow(raw, undefined);
    return window && minutes(window.start) < minutes(window.end)
      ? { value: `${window.start}-${window.end}` }
      : { error: "Write the window as HH:MM-HH:MM in 24-hour time, start before end, e.g. 09:00-19:00." };
  }
  if (key === "callingDays")
    return parseDays(raw)
      ? { value: raw.toLowerCase().replace(/\s+/g, "") }
      : { error: "Write the days as mon-fri, or a list such as mon,tue,thu." };
  if (key === "teamCountries") {
    const codes = raw
      .split(",")
      .map((code) => code.trim().toUpperCase())
      .filter(Boolean);
    const unknown = codes.filter((code) => !allowedCountries.includes(code));
    return codes.length === 0 || unknown.length > 0
      ? {
          error: `Use two-letter codes this Leadline may call: ${allowedCountries.join(", ")}${unknown.length ? ` (not ${unknown.join(", ")})` : ""}.`,
        }
      : { value: codes.join(",") };
  }
  const format = FORMATS[key];
  return format && !format[0].test(raw) ? { error: format[1] } : { value: raw };
}

export function checkSetupInput(
  input: SetupInput,
  stored: TwilioSettings,
  defaultCountry: string,
  allowedCountries: readonly string[] = [],
): { values: Partial<Record<SettingKey, string | null>>; merged: TwilioSettings; errors: FieldErrors } {
  const values: Partial<Record<SettingKey, string | null>> = {};
  const errors: FieldErrors = {};
  for (const key of Object.keys(TWILIO_SETTINGS) as SettingKey[]) {
    const raw = (input[key] ?? "").trim();
    if (raw === "") continue;
    const checked = checkSetting(key, raw, defaultCountry, allowedCountries);
    if ("error" in checked) errors[key] = checked.error;
    else values[key] = checked.value;
  }
  const merged: TwilioSettings = { ...stored };
  for (const [key, value] of Object.entries(values) as [SettingKey, string | null][]) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  merged.callMessage ??= DEFAULT_CALL_MESSAGE;
  for (const key of ["accountSid", "authToken", "phoneNumber"] as const) {
    if (!merged[key] && !errors[key]) errors[key] = `Enter the ${TWILIO_SETTINGS[key].label}.`;
  }
  const browser = ["apiKeySid", "apiKeySecret", "twimlAppSid"] as const;
  const present = browser.filter((key) => merged[key]);
  if (present.length > 0 && present.length < browser.length) {
    for (const key of browser) {
      if (!merged[key] && !errors[key]) {
        errors[key] =
          "Browser calls need all three: API Key SID, API Key Secret and TwiML App SID (or type none in each).";
      }
    }
  }
  return { values, merged, errors };
}

/**
 * Asks Twilio whether the account and token work and whether the number belongs to the account:
 * GET /Accounts/{Sid}.json, then GET /Accounts/{Sid}/IncomingPhoneNumbers.json?PhoneNumber=…
 */
export async function verifyTwilioCredentials(
  clients: TwilioClientFactory,
  settings: TwilioSettings,
): Promise<FieldErrors> {
  const { accountSid, authToken, phoneNumber } = settings;
  if (!accountSid || !authToken || !phoneNumber) return {};
  const client = clients({ accountSid, authToken });
  try {
    await client.api.v2010.accounts(accountSid).fetch();
  } catch (error) {
    const twilioError = toTwilioError(error);
    if (twilioError && (twilioError.code === 20003 || twilioError.status === 401)) {
      return { authToken: `Account SID or Auth Token is wrong (Twilio ${twilioError.code}: ${twilioError.message}).` };
    }
    if (twilioError && twilioError.status === 404) {
      return { accountSid: `Twilio has no account ${accountSid} (${twilioError.code}: ${twilioError.message}).` };
    }
    return { accountSid: unreachable(error) };
  }
  try {
    const numbers = await client.api.v2010.accounts(accountSid).incomingPhoneNumbers.list({ phoneNumber, limit: 1 });
    if (numbers.length === 0) {
      return {
        phoneNumber: `${phoneNumber} is not a phone number on this Twilio account. Use one listed under Phone Numbers → Active numbers.`,
      };
    }
  } catch (error) {
    return { phoneNumber: unreachable(error) };
  }
  return checkMessagingService(client, settings.messagingServiceSid);
}

/** The Messaging Service texts go through must be on this account (Messaging v1 Services fetch). */
async function checkMessagingService(client: ReturnType<TwilioClientFactory>, sid?: string): Promise<FieldErrors> {
  if (!sid) return {};
  try {
    await client.messaging.v1.services(sid).fetch();
    return {};
  } catch (error) {
    const twilioError = toTwilioError(error);
    if (twilioError?.status === 404)
      return { messagingServiceSid: `This Twilio account has no Messaging Service ${sid}.` };
    return { messagingServiceSid: unreachable(error) };
  }
}

function unreachable(error: unknown): string {
  const twilioError = toTwilioError(error);
  if (twilioError) return `Twilio refused the check (${twilioError.code}): ${twilioError.message}`;
  if (isAmbiguousTwilioFailure(error))
    return "Twilio did not answer in time; nothing was saved. Submit again in a moment.";
  return "Leadline could not reach Twilio to check these values; nothing was saved. Submit again in a moment.";
}

export type SetupOutcome =
  | { kind: "forbidden" }
  | { kind: "errors"; errors: FieldErrors; typed: Partial<Record<SettingKey, string>>; heldSecrets: SettingKey[] }
  | { kind: "saved"; settings: TwilioSettings; changed: string[] };

export type SubmitResult = SetupOutcome | { kind: "pending"; outcome: Promise<SetupOutcome> };

export interface SetupFlow {
  submit(args: { ws: number; userId: string; viewId: string; input: SetupInput }): Promise<SubmitResult>;
}

interface SetupFlowDeps {
  settings: SettingsService;
  secrets: SecretStore;
  admins: Pick<AdminGate, "require">;
  audit: AuditService;
  clients: TwilioClientFactory;
  defaultCountry: string;
  allowedCountries: readonly string[];
  /** How long the Slack ack may wait for Twilio before switching the modal to "checking…". */
  answerWithinMs?: number;
  heldForMs?: number;
  now?: () => number;
}

const SECRET_KEYS = (Object.keys(TWILIO_SETTINGS) as SettingKey[]).filter((key) => TWILIO_SETTINGS[key].secret);

/**
 * The /twilio-setup submission: admin check, formats, Twilio's word, then one transaction.
 * Secrets typed in an attempt that Twilio refused are held for the next submission of the same
 * modal by the same admin, so they need not type them again: encrypted in the database with an
 * expiry (any instance may take the next submission), never in private_metadata.
 */
export function createSetupFlow(deps: SetupFlowDeps): SetupFlow {
  const answerWithinMs = deps.answerWithinMs ?? 2_000;
  const heldForMs = deps.heldForMs ?? 15 * 60_000;
  const now = deps.now ?? Date.now;
  const heldName = (viewId: string, userId: string, key: SettingKey) => `held:${viewId}:${userId}:${key}`;

  const finish = async (
    ws: number,
    userId: string,
    viewId: string,
    input: SetupInput,
    values: Partial<Record<SettingKey, string | null>>,
    merged: TwilioSettings,
    errors: FieldErrors,
  ): Promise<SetupOutcome> => {
    if (Object.keys(errors).length > 0) {
      const secrets = SECRET_KEYS.filter((key) => (input[key] ?? "").trim() !== "");
      if (secrets.length > 0) {
        await deps.secrets.setMany(
          ws,
          Object.fromEntries(secrets.map((key) => [heldName(viewId, userId, key), String(input[key])])),
          userId,
          { expiresAt: new Date(now() + heldForMs) },
        );
      }
      const typed = Object.fromEntries(
        (Object.keys(TWILIO_SETTINGS) as SettingKey[])
          .filter((key) => !TWILIO_SETTINGS[key].secret && (input[key] ?? "").trim() !== "")
          .map((key) => [key, (input[key] ?? "").trim()]),
      );
      await deps.audit.record(ws, userId, "twilio_settings.refused", { fields: Object.keys(errors) });
      return { kind: "errors", errors, typed, heldSecrets: secrets };
    }
    const toSave = Object.fromEntries(
      Object.entries(values).map(([key, value]) => [key, value ?? undefined]),
    ) as TwilioSettings;
    const removals = Object.entries(values)
      .filter(([, value]) => value === null)
      .map(([key]) => key as SettingKey);
    const changedKeys = await deps.settings.save(ws, { ...toSave, callMessage: merged.callMessage }, userId, removals);
    await deps.secrets.setMany(
      ws,
      Object.fromEntries(SECRET_KEYS.map((key) => [heldName(viewId, userId, key), null])),
      userId,
    );
    return { kind: "saved", settings: merged, changed: changedKeys.map((key) => TWILIO_SETTINGS[key].label) };
  };

  return {
    async submit({ ws, userId, viewId, input }) {
      try {
        await deps.admins.require(ws, userId, "twilio_settings", { at: "submit" });
      } catch (error) {
        if (error instanceof AdminOnly) return { kind: "forbidden" };
        throw error;
      }
      const kept = await deps.secrets.getMany(
        ws,
        SECRET_KEYS.map((key) => heldName(viewId, userId, key)),
      );
      const withHeld: SetupInput = { ...input };
      for (const key of SECRET_KEYS) {
        const value = kept.values[heldName(viewId, userId, key)];
        if (value && (withHeld[key] ?? "").trim() === "") withHeld[key] = value;
      }
      const stored = await deps.settings.get(ws);
      const checked = checkSetupInput(withHeld, stored, deps.defaultCountry, deps.allowedCountries);
      if (Object.keys(checked.errors).length > 0) {
        return finish(ws, userId, viewId, withHeld, checked.values, checked.merged, checked.errors);
      }
      const verification = verifyTwilioCredentials(deps.clients, checked.merged).then((errors) =>
        finish(ws, userId, viewId, withHeld, checked.values, checked.merged, errors),
      );
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), answerWithinMs);
      });
      const first = await Promise.race([verification, timeout]);
      clearTimeout(timer);
      if (first === "timeout") return { kind: "pending", outcome: verification };
      return first;
    },
  };
}
