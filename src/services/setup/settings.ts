import { formatPhone } from "../../lib/phone.js";
import type { SecretStore } from "../store/secrets.js";
import { type SettingsStore, writeMaskNumbers } from "./settings-store.js";

export const DEFAULT_CALL_MESSAGE = "Hello, this is a call from your real estate agent. They will be with you shortly.";
export const DEFAULT_MENU_MESSAGE = "Press 1 to speak with your agent now. Press 9 if you do not want any more calls.";

/** The values a setting has until an admin writes one; the form shows them as its initial text. */
export const SETTING_DEFAULTS: Readonly<Partial<Record<string, string>>> = {
  callMessage: DEFAULT_CALL_MESSAGE,
  menuMessage: DEFAULT_MENU_MESSAGE,
};

/** The voicemail left on an answering machine unless an admin wrote one: the call message and a call-back number. */
export function defaultVoicemail(callMessage: string, from: string): string {
  const base = callMessage.replace(/\s*They will be with you shortly\.?/i, "").trim();
  return `${base} Sorry we missed you. Please call us back at ${formatPhone(from)}. Thank you.`;
}

/** Every Twilio setting, its stored secret name, its label, and whether it is a secret to never show. */
export const TWILIO_SETTINGS = {
  accountSid: { name: "twilio.accountSid", label: "Account SID", secret: false },
  authToken: { name: "twilio.authToken", label: "Auth Token", secret: true },
  phoneNumber: { name: "twilio.phoneNumber", label: "Twilio phone number", secret: false },
  agentPhone: { name: "twilio.agentPhone", label: "Agent phone number", secret: false },
  apiKeySid: { name: "twilio.apiKeySid", label: "API Key SID", secret: false },
  apiKeySecret: { name: "twilio.apiKeySecret", label: "API Key Secret", secret: true },
  twimlAppSid: { name: "twilio.twimlAppSid", label: "TwiML App SID", secret: false },
  callMessage: { name: "twilio.callMessage", label: "Call message", secret: false },
  menuMessage: { name: "twilio.menuMessage", label: "Key-press menu", secret: false },
  voicemailMessage: { name: "twilio.voicemailMessage", label: "Voicemail message", secret: false },
  recording: { name: "twilio.recording", label: "Record calls", secret: false },
  leadsChannel: { name: "twilio.leadsChannel", label: "Leads channel", secret: false },
  messagingServiceSid: { name: "twilio.messagingServiceSid", label: "Messaging Service SID", secret: false },
  textTeamName: { name: "texts.teamName", label: "Team name in texts", secret: false },
  textHelp: { name: "texts.help", label: "Help text (answer to HELP)", secret: false },
  textStopConfirmation: { name: "texts.stopConfirmation", label: "Own STOP confirmation", secret: false },
  textTemplates: { name: "texts.templates", label: "Text templates", secret: false },
  textBack: { name: "texts.textBack", label: "Missed-call text-back", secret: false },
  callingWindow: { name: "rules.callingWindow", label: "Team calling window", secret: false },
  callingDays: { name: "rules.callingDays", label: "Team calling days", secret: false },
  teamCountries: { name: "rules.countries", label: "Countries the team calls", secret: false },
} as const;

export type SettingKey = keyof typeof TWILIO_SETTINGS;
export type TwilioSettings = Partial<Record<SettingKey, string>>;

export const SETTING_KEYS = Object.keys(TWILIO_SETTINGS) as SettingKey[];

/** What each call mode needs; the agent phone for bridge calls can also come from the agent. */
export const REQUIRED_FOR = {
  any: ["accountSid", "authToken", "phoneNumber"],
  browser: ["accountSid", "authToken", "phoneNumber", "apiKeySid", "apiKeySecret", "twimlAppSid"],
} as const satisfies Record<string, readonly SettingKey[]>;

/** "…1234": the last 4 characters, enough to recognise a value, never enough to use it. */
export function maskValue(value: string): string {
  return `••••${value.slice(-4)}`;
}

const TEXT_SETTINGS = new Set<SettingKey>([
  "callMessage",
  "menuMessage",
  "voicemailMessage",
  "recording",
  "textTeamName",
  "textHelp",
  "textStopConfirmation",
  "textTemplates",
  "textBack",
]);

export function isTextSetting(key: SettingKey): boolean {
  return TEXT_SETTINGS.has(key);
}

export function describeSetting(key: SettingKey, value: string): string {
  if (TEXT_SETTINGS.has(key)) return value.length > 60 ? `${value.slice(0, 57)}…` : value;
  if ((key === "phoneNumber" || key === "agentPhone") && value.startsWith("+")) return maskValue(formatPhone(value));
  return maskValue(value);
}

export function missingLabels(settings: TwilioSettings, keys: readonly SettingKey[]): string[] {
  return keys.filter((key) => !settings[key]).map((key) => TWILIO_SETTINGS[key].label);
}

/** How long a confirmed copy of the Auth Token verifies webhooks without asking the database again. */
const WEBHOOK_TOKEN_FRESH_MS = 1_000;

export interface SettingsService {
  /** Read at call time, so a change in /twilio-setup applies to the next call without a restart. */
  get(ws: number): Promise<TwilioSettings>;
  /** `get` and `masksNumbers` from one check of the version: what placing a call and its first post need. */
  getWithPrivacy(ws: number): Promise<{ settings: TwilioSettings; maskNumbers: boolean }>;
  /**
   * The Auth Token to check a Twilio webhook's signature with: this instance's copy when its version was
   * confirmed within the last second, else read as `get` does. Twilio posts many webhooks per call, and
   * a token that no longer verifies is read again by the caller (`fresh`), so a rotated token is never
   * refused for long and an old one is accepted for at most a second after a change on another instance.
   */
  webhookToken(ws: number, fresh?: boolean): Promise<{ authToken?: string; recent: boolean }>;
  /** Stored settings that cannot be decrypted (altered, or under a key no longer configured): treated as missing. */
  unreadable(ws: number): Promise<SettingKey[]>;
  /** Saves changed values and removes `remove`, in one transaction with its audit row. */
  save(ws: number, values: TwilioSettings, actor: string, remove?: SettingKey[]): Promise<SettingKey[]>;
  clear(ws: number, actor: string): Promise<number>;
  /** Whether channel messages show a lead's number as its last 4 digits (cached with the other settings). */
  masksNumbers(ws: number): Promise<boolean>;
  /** Turns masking on or off; returns whether it changed. */
  setMaskNumbers(ws: number, on: boolean, actor: string): Promise<boolean>;
}

/**
 * Settings are read on every call and webhook, so each instance keeps a decrypted copy per
 * workspace. Every save bumps the workspace's settings version in the same transaction, and a read
 * checks that version (one small query): a change made on any instance is used by the next call
 * everywhere.
 */
export function createSettingsService({
  store,
  secrets,
  readVersion = (ws) => store.version(ws),
  now = Date.now,
}: {
  store: SettingsStore;
  secrets: SecretStore;
  /** The workspace's settings version (the workspace store's fast read); undefined when there is none. */
  readVersion?: (ws: number) => Promise<number | undefined>;
  /** Milliseconds since the epoch: how old this instance's copy is (tests move it). */
  now?: () => number;
}): SettingsService {
  const cached = new Map<
    number,
    { version: number; value: TwilioSettings; unreadable: SettingKey[]; maskNumbers: boolean; checkedAt: number }
  >();
  const load = async (
    ws: number,
  ): Promise<{ value: TwilioSettings; unreadable: SettingKey[]; maskNumbers: boolean }> => {
    const stored = await secrets.getMany(
      ws,
      SETTING_KEYS.map((key) => TWILIO_SETTINGS[key].name),
    );
    const settings: TwilioSettings = {};
    for (const key of SETTING_KEYS) {
      const value = stored.values[TWILIO_SETTINGS[key].name];
      if (value !== undefined && value !== "") settings[key] = value;
    }
    const unreadable = SETTING_KEYS.filter((key) => stored.unreadable.includes(TWILIO_SETTINGS[key].name));
    return { value: settings, unreadable, maskNumbers: await store.masksNumbers(ws) };
  };
  // Reads of one workspace's version that start while one is on its way share it (under load, one
  // statement instead of one per request): at worst they miss a save committed during that one round
  // trip, as a request that came a moment earlier would have.
  const reading = new Map<number, Promise<number | undefined>>();
  const versionOf = (ws: number) => {
    let read = reading.get(ws);
    if (read === undefined) {
      read = readVersion(ws).finally(() => reading.delete(ws));
      reading.set(ws, read);
    }
    return read;
  };
  const current = async (ws: number) => {
    const version = await versionOf(ws);
    const known = cached.get(ws);
    if (known && version !== undefined && known.version === version) {
      known.checkedAt = now();
      return known;
    }
    const loaded = await load(ws);
    const entry = {
      version: version ?? -1,
      value: Object.freeze(loaded.value),
      unreadable: loaded.unreadable,
      maskNumbers: loaded.maskNumbers,
      checkedAt: now(),
    };
    if (version !== undefined) cached.set(ws, entry);
    return entry;
  };
  const changedTogether: SettingsStore["changeTogether"] = async (ws, actor, audit, work) => {
    await store.changeTogether(ws, actor, audit, work);
    cached.delete(ws);
  };
  return {
    async get(ws) {
      return { ...(await current(ws)).value };
    },
    async getWithPrivacy(ws) {
      const entry = await current(ws);
      return { settings: { ...entry.value }, maskNumbers: entry.maskNumbers };
    },
    async webhookToken(ws, fresh = false) {
      const known = cached.get(ws);
      if (!fresh && known && now() - known.checkedAt < WEBHOOK_TOKEN_FRESH_MS)
        return { authToken: known.value.authToken, recent: true };
      return { authToken: (await current(ws)).value.authToken, recent: false };
    },
    async unreadable(ws) {
      return [...(await current(ws)).unreadable];
    },
    async save(ws, values, actor, remove = []) {
      const stored = await load(ws);
      const changed = SETTING_KEYS.filter(
        (key) =>
          (values[key] !== undefined && (values[key] !== stored.value[key] || stored.unreadable.includes(key))) ||
          (remove.includes(key) && (stored.value[key] !== undefined || stored.unreadable.includes(key))),
      );
      // A default the form showed and the admin kept (the menu, the call message) is no change to name.
      const unchangedDefault = (key: SettingKey) =>
        stored.value[key] === undefined && !remove.includes(key) && values[key] === SETTING_DEFAULTS[key];
      const writes = Object.fromEntries(
        changed.map((key) => [TWILIO_SETTINGS[key].name, remove.includes(key) ? null : (values[key] ?? null)]),
      );
      await changedTogether(
        ws,
        actor,
        {
          action: "twilio_settings.saved",
          detail: { changed: changed.filter((key) => !unchangedDefault(key)).map((key) => TWILIO_SETTINGS[key].label) },
        },
        (tx) => secrets.setMany(ws, writes, actor, { tx }),
      );
      return changed.filter((key) => !unchangedDefault(key));
    },
    async clear(ws, actor) {
      let removed = 0;
      await changedTogether(ws, actor, { action: "twilio_settings.cleared", detail: {} }, async (tx) => {
        removed = await secrets.deletePrefix(ws, "twilio.", tx);
      });
      return removed;
    },
    async masksNumbers(ws) {
      return (await current(ws)).maskNumbers;
    },
    async setMaskNumbers(ws, on, actor) {
      if ((await store.masksNumbers(ws)) === on) return false;
      await changedTogether(ws, actor, { action: "privacy.mask_numbers", detail: { on } }, (tx) =>
        writeMaskNumbers(tx, ws, on),
      );
      return true;
    },
  };
}

/** Browser calls need the API key, its secret, the TwiML App and a public URL Twilio can reach. */
export function browserCallsReady(settings: TwilioSettings, publicBaseUrl: string | undefined): boolean {
  return Boolean(publicBaseUrl) && REQUIRED_FOR.browser.every((key) => settings[key]);
}
