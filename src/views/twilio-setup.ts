import type { KnownBlock, ModalView } from "@slack/types";
import { INPUT_ACTION, ids, setupFields } from "../lib/ids.js";
import type { InboundNumberState } from "../services/setup/inbound-number.js";
import {
  describeSetting,
  isTextSetting,
  REQUIRED_FOR,
  SETTING_DEFAULTS,
  SETTING_KEYS,
  type SettingKey,
  TWILIO_SETTINGS,
  type TwilioSettings,
} from "../services/setup/settings.js";
import type { SetupStatusData } from "../services/setup/setup-status.js";
import { context, escapeTruncate, mrkdwnSection, phoneText, plain, truncate } from "./common.js";
import { userErrorWords } from "./error-words/index.js";

export interface SetupModalInput {
  stored: TwilioSettings;
  /** Non-secret values the admin just typed, shown again after a failed check. */
  typed?: Partial<Record<SettingKey, string>>;
  /** Secrets typed in the last attempt and held by the server: a blank keeps them. */
  heldSecrets?: SettingKey[];
  notice?: string;
  privateMetadata: string;
}

const HELP: Record<SettingKey, string> = {
  accountSid: "Twilio Console → Account Info. Starts with AC.",
  authToken: "Twilio Console → Account Info.",
  phoneNumber: "A voice-capable number on this account; calls come from it.",
  agentPhone:
    "The phone a live call (Call) rings first, and a voice bridge puts the lead through to, for an agent who has set no phone of their own (/call-lead settings). Type none to remove.",
  apiKeySid: "For browser calls. Starts with SK. Type none to remove.",
  apiKeySecret: "For browser calls. Type none to remove.",
  twimlAppSid:
    "For browser calls: the TwiML App whose voice URL is <PUBLIC_BASE_URL>/twilio/voice/browser. Starts with AP.",
  callMessage:
    "What the lead hears first. Then a 2-second pause and “Please hold.” {{firstName}} and {{name}} are filled in from the lead.",
  menuMessage:
    "Heard after “Please hold.” on outbound calls when Leadline has a public URL: 1 connects the lead to the agent, 9 adds them to the do-not-call list.",
  voicemailMessage: "Left when an answering machine picks up. Blank: the call message and a call-back number.",
  recording: "Off by default. Check the laws where your leads live before turning it on.",
  callingWindow:
    "The team's own calling hours in the lead's local time, e.g. 09:00-19:00. Calls also follow the law (federal and state hours), whichever is narrower. Type none to remove.",
  callingDays:
    "The days the team calls, e.g. mon-fri or mon-sat. Blank: every day the law allows. Type none to remove.",
  teamCountries:
    "Countries the team calls, e.g. US,CA (only countries this Leadline allows). Blank: all of them. Type none to remove.",
  messagingServiceSid:
    "For texts: the Messaging Service they are sent through (Twilio Console → Messaging → Services; starts with MG). Its US A2P 10DLC campaign must be approved before texts go to US numbers. Type none to remove.",
  textTeamName: "Named in the first text to each lead, with “Reply STOP to opt out”. Blank: the workspace's name.",
  textHelp: "Texted back when a lead texts HELP. Blank: Twilio's own answer only.",
  textStopConfirmation:
    "Blank (the usual): Twilio answers STOP itself with its own confirmation (its words can be changed in Twilio's Advanced Opt-Out, Messaging Service → Opt-Out Management). Written here: Leadline sends this once per opt-out instead, only useful when Twilio Support has turned Twilio's own opt-out replies off for the account (else Twilio refuses it, 21610, and the lead gets Twilio's alone). No marketing in it. Type none to remove.",
  textTemplates:
    "One template per line, “Name: text”, e.g. “Intro: Hi {{firstName}}, this is {{agentName}} from Acme Realty.” Agents pick one in the Text form. Type none to remove.",
  textBack:
    "Off when blank. Texted once to a caller nobody answered (within a minute; at 8:00 their time if they called at night; never to a do-not-call number), e.g. “Sorry we missed your call, we will call you back shortly.”",
  leadsChannel:
    "Where leads from the lead API are posted: the channel's ID (in Slack: the channel's name → About → at the bottom). Invite @Leadline there. Type none to remove.",
};

const TEXT_DEFAULTS: Partial<Record<SettingKey, string>> = SETTING_DEFAULTS;

const OPTIONAL_KEYS = new Set<SettingKey>([
  "agentPhone",
  "apiKeySid",
  "apiKeySecret",
  "twimlAppSid",
  "leadsChannel",
  "callingWindow",
  "callingDays",
  "teamCountries",
  "messagingServiceSid",
]);

function hintFor(key: SettingKey, input: SetupModalInput): string {
  const held = input.heldSecrets?.includes(key);
  const stored = input.stored[key];
  const parts = [HELP[key]];
  if (held) parts.unshift("Leave blank to use the value you just entered.");
  else if (stored && !isTextSetting(key))
    parts.unshift(`Saved: ${describeSetting(key, stored)}. Leave blank to keep it.`);
  return truncate(parts.join(" "), 2000);
}

export function twilioSetupModal(input: SetupModalInput): ModalView {
  const blocks: KnownBlock[] = [];
  if (input.notice) blocks.push(mrkdwnSection(`:warning: ${escapeTruncate(input.notice, 2900)}`));
  blocks.push(
    context(
      "Values are checked with Twilio before anything is saved, then stored encrypted. Saved values are never shown, only their last 4 characters.",
    ),
  );
  for (const key of SETTING_KEYS) {
    const setting = TWILIO_SETTINGS[key];
    const typed = input.typed?.[key];
    // Slack itself writes "(optional)" after the label of an optional input.
    const label = plain(setting.label);
    const hint = plain(hintFor(key, input));
    if (key === "recording") {
      const on = (typed ?? input.stored.recording) === "on";
      const option = { text: plain("Record calls, after telling the lead “This call may be recorded.”"), value: "on" };
      blocks.push({
        type: "input",
        block_id: setupFields[key],
        optional: true,
        label,
        hint,
        element: {
          type: "checkboxes",
          action_id: INPUT_ACTION,
          options: [option],
          ...(on ? { initial_options: [option] } : {}),
        },
      });
      continue;
    }
    const text = isTextSetting(key);
    const initial = text ? (typed ?? input.stored[key] ?? TEXT_DEFAULTS[key]) : setting.secret ? undefined : typed;
    blocks.push({
      type: "input",
      block_id: setupFields[key],
      optional:
        text || OPTIONAL_KEYS.has(key) || Boolean(input.stored[key]) || Boolean(input.heldSecrets?.includes(key)),
      label,
      hint,
      element: {
        type: "plain_text_input",
        action_id: INPUT_ACTION,
        multiline: text,
        max_length: text ? 1000 : 100,
        ...(initial ? { initial_value: initial } : {}),
        ...(key === "phoneNumber" || key === "agentPhone" ? { placeholder: plain("+1 212 555 0100") } : {}),
      },
    });
  }
  return {
    type: "modal",
    callback_id: ids.twilioSetup.callbackId,
    title: plain("Connect Twilio"),
    submit: plain("Check and save"),
    close: plain("Cancel"),
    private_metadata: input.privateMetadata,
    blocks,
  };
}

export function twilioSetupChecking(privateMetadata: string): ModalView {
  return {
    type: "modal",
    callback_id: ids.twilioSetup.checkingCallbackId,
    title: plain("Connect Twilio"),
    close: plain("Close"),
    private_metadata: privateMetadata,
    blocks: [
      mrkdwnSection(":hourglass_flowing_sand: *Checking with Twilio…*"),
      context(
        "Twilio is slow to answer. This window updates by itself; your entries are kept if anything needs fixing.",
      ),
    ],
  };
}

export function settingsSummary(settings: TwilioSettings): string {
  return SETTING_KEYS.filter((key) => settings[key] && !isTextSetting(key))
    .map((key) => `• ${TWILIO_SETTINGS[key].label}: \`${describeSetting(key, settings[key]!)}\``)
    .join("\n");
}

/** The same words in the confirmation message and in the modal: changed fields, or that nothing changed. */
function savedHeadline(changed: string[]): string {
  return changed.length > 0
    ? `Twilio settings saved. Changed: ${changed.join(", ")}.`
    : "Twilio settings checked with Twilio; nothing changed.";
}

export function setupSavedMessage(settings: TwilioSettings, changed: string[]): { text: string } {
  return { text: `:white_check_mark: ${savedHeadline(changed)}\n${settingsSummary(settings)}` };
}

export function twilioSetupDone(settings: TwilioSettings, changed: string[]): ModalView {
  return {
    type: "modal",
    callback_id: ids.twilioSetup.doneCallbackId,
    title: plain("Twilio connected"),
    close: plain("Done"),
    blocks: [
      mrkdwnSection(`:white_check_mark: *Twilio is connected.* ${savedHeadline(changed)}`),
      mrkdwnSection(settingsSummary(settings) || "No values saved."),
    ],
  };
}

/** The do-not-call registry's state for the status: the newest import, and whether it is too old. */
export interface RegistryStatus {
  latest?: { fetchedAt: Date; numbers: number };
  days?: number;
  stale: boolean;
  maxDays: number;
}

function registryLine(registry: RegistryStatus | undefined): string {
  if (!registry) return "";
  if (!registry.latest)
    return ":information_source: No national do-not-call registry import yet. US teams must scrub against the registry: `npm run dnc:import -- &lt;file&gt;` where Leadline runs.";
  const when = `${registry.latest.fetchedAt.toISOString().slice(0, 10)} (${registry.days} days ago, ${registry.latest.numbers.toLocaleString("en-US")} numbers)`;
  return registry.stale
    ? `:warning: The do-not-call registry copy is from ${when}: older than ${registry.maxDays} days, which US law does not allow calling on. Download a fresh copy from the FTC and run \`npm run dnc:import -- &lt;file&gt;\`.`
    : `:white_check_mark: Do-not-call registry copy from ${when}.`;
}

function inboundLine(inbound: InboundNumberState | undefined): string {
  if (!inbound) return "";
  if (inbound.kind === "leadline")
    return ":white_check_mark: Calls to the team's number reach Leadline (leads calling back ring an agent).";
  if (inbound.kind === "elsewhere")
    return `:information_source: Calls to the team's number do not reach Leadline${inbound.voiceUrl ? " (its Voice URL points elsewhere)" : ""}: a lead who calls back is not answered by Leadline. An admin can run \`/twilio-setup inbound\`.`;
  const why = inbound.refusal ? userErrorWords(inbound.refusal) : inbound.why;
  return `:grey_question: Could not tell whether calls to the team's number reach Leadline: ${why}.`;
}

/** After `/twilio-setup inbound`. */
export function inboundConnectedMessage(result: { number: string; previous: string | null }): { text: string } {
  return {
    text: `:white_check_mark: Calls to ${phoneText(result.number)} now reach Leadline: a lead who calls back rings their owner (or the agent who last called them, or the team's agent phone) for 20 s, then can leave a voicemail, and the channel sees it.${result.previous ? " The number's previous Voice URL was replaced." : ""}`,
  };
}

export function twilioStatusBlocks(
  settings: TwilioSettings,
  unreadable: SettingKey[] = [],
  registry?: RegistryStatus,
  inbound?: InboundNumberState,
  texting?: SetupStatusData["texting"],
): { text: string; blocks: KnownBlock[] } {
  const missingCalls = REQUIRED_FOR.any.filter((key) => !settings[key]).map((key) => TWILIO_SETTINGS[key].label);
  const missingBrowser = REQUIRED_FOR.browser.filter((key) => !settings[key]).map((key) => TWILIO_SETTINGS[key].label);
  const lines = [
    ...unreadable.map(
      (key) =>
        `:warning: The stored ${TWILIO_SETTINGS[key].label} cannot be read (it was altered, or encrypted with a key Leadline no longer has). An admin can enter it again with \`/twilio-setup\`.`,
    ),
    missingCalls.length === 0
      ? ":white_check_mark: Calls are ready."
      : `:x: Calls cannot be placed. Missing Twilio settings: ${missingCalls.join(", ")}. An admin can run \`/twilio-setup\`.`,
    missingBrowser.length === 0
      ? ":white_check_mark: Browser calls are ready."
      : `:information_source: Browser calls are off. Missing: ${missingBrowser.join(", ")}.`,
    settings.agentPhone
      ? ""
      : ":information_source: No team agent phone: live calls and voice bridges ring each agent's own phone (`/call-lead settings`).",
    registryLine(registry),
    inboundLine(inbound),
    textingLine(settings, texting),
  ].filter(Boolean);
  const summary = settingsSummary(settings);
  return {
    text: lines.join("\n"),
    blocks: [mrkdwnSection(`*Twilio settings*\n${lines.join("\n")}`), ...(summary ? [mrkdwnSection(summary)] : [])],
  };
}

/** Texting: no Messaging Service, or its A2P campaign as Twilio reports it (texts to US numbers wait for approval). */
function textingLine(settings: TwilioSettings, texting: SetupStatusData["texting"]): string {
  if (!settings.messagingServiceSid)
    return ":information_source: Texting is off: no Messaging Service is set (`/twilio-setup`, Messaging Service SID).";
  if (!texting) return "";
  if ("unknown" in texting)
    return `:grey_question: Texting: Leadline could not read the A2P campaign from Twilio (${escapeTruncate(texting.unknown, 200)}).`;
  if (texting.approved) return ":white_check_mark: Texting is ready: the US A2P 10DLC campaign is approved (VERIFIED).";
  const errors = texting.errors.length ? ` Twilio says: ${escapeTruncate(texting.errors.join("; "), 600)}` : "";
  const status =
    texting.status === "none" ? "no campaign is registered" : `the campaign is ${escapeTruncate(texting.status, 40)}`;
  return `:no_entry_sign: Texting is off until your A2P campaign is approved: ${status} on the Messaging Service.${errors} Register the brand and campaign in the Twilio Console (Messaging → Regulatory Compliance).`;
}

export function clearConfirmBlocks(): KnownBlock[] {
  return [
    mrkdwnSection("*Remove every Twilio setting?* Calls stop working until an admin runs `/twilio-setup` again."),
    {
      type: "actions",
      elements: [
        {
          type: "button",
          action_id: ids.twilioSetup.clearAction,
          style: "danger",
          text: plain("Remove Twilio settings"),
          value: "clear",
          confirm: {
            title: plain("Remove Twilio settings?"),
            text: plain("Leadline will forget the Account SID, Auth Token, numbers and keys."),
            confirm: plain("Remove"),
            deny: plain("Keep them"),
          },
        },
      ],
    },
  ];
}

/**
 * The lead API token. Multi-workspace mode: a new token for this workspace behind a single-use,
 * 10-minute link (the token never goes into a Slack message; Leadline keeps only its hash). Single
 * mode: LEADS_API_TOKEN.
 */
export function leadsApiTokenMessage(
  link: string | undefined,
  publicBaseUrl: string | undefined,
): { text: string; blocks?: KnownBlock[] } {
  const endpoint = `${publicBaseUrl ?? "https://&lt;your Leadline address&gt;"}/api/leads`;
  if (!link) {
    return {
      text: `The lead API (\`POST ${endpoint}\`) takes the token set as LEADS_API_TOKEN where Leadline runs; ask whoever runs Leadline for it.`,
    };
  }
  const text =
    `:key: A new lead API token for this workspace is ready; the previous one no longer works. The link shows it once, for 10 minutes. Send leads with \`POST ${endpoint}\` and \`Authorization: Bearer <token>\`.`.replace(
      "<token>",
      "&lt;token&gt;",
    );
  return {
    text,
    blocks: [
      mrkdwnSection(text),
      {
        type: "actions",
        elements: [
          {
            type: "button",
            action_id: ids.twilioSetup.apiTokenLinkAction,
            text: plain("Show the token"),
            url: link,
            style: "primary",
          },
        ],
      },
    ],
  };
}

export const TWILIO_SETUP_REFUSAL =
  "Only Leadline admins can change the Twilio settings. Ask an admin, or run `/twilio-setup status` to see what is configured.";

export const TWILIO_SETUP_USAGE =
  "Usage: `/twilio-setup` to connect Twilio (admins), `/twilio-setup status` to see what is configured, `/twilio-setup clear` to remove the settings (admins), `/twilio-setup api-token` for a new lead API token (admins), `/twilio-setup inbound` to answer calls to the team's number with Leadline (admins), `/twilio-setup numbers` for the caller-ID pool (admins), `/twilio-setup privacy [mask|show]` for leads' numbers in channel messages (admins), `/twilio-setup summaries [on|transcripts-only|off|retention <days>]` for call transcripts and summaries (admins).";

/** After /twilio-setup clear: what was removed, and what that means. */
export function settingsClearedMessage(removed: number): { text: string } {
  return {
    text: `:wastebasket: Removed ${removed} Twilio setting${removed === 1 ? "" : "s"}. Calls are off until an admin runs \`/twilio-setup\`.`,
  };
}

/** Twilio refused what was typed after the modal said "checking…": nothing was saved, and why. */
export function setupNotSavedNotice(errors: Record<string, string>): string {
  return `Nothing was saved. ${Object.values(errors).join(" ")}`;
}
