import type { KnownBlock } from "@slack/types";
import type { CallerIdRule } from "../services/callerid/pick.js";
import type { NumberReport, PoolReport, TextsJoin } from "../services/callerid/pool-admin.js";
import type { Registration, RegistrationStatus } from "../services/callerid/registrations.js";
import { context, mrkdwnSection, phoneText } from "./common.js";

/** How the call's post names the caller ID's rule: "from +1 305 555 0100, local". */
export const CALLER_ID_RULE_TEXT: Record<CallerIdRule, string> = {
  sticky: "the number this lead saw last",
  local: "local",
  state: "in-state",
  team: "the team number",
};

export const NUMBERS_USAGE =
  "Usage: `/twilio-setup numbers` lists the account's numbers; `/twilio-setup numbers add +13055550100` puts one in the caller-ID pool (and sends its call-backs to Leadline); `/twilio-setup numbers remove +13055550100`; `/twilio-setup numbers cap 75` sets how many calls a number places per day.";

const NAMES: Record<Registration, string> = { shakenStir: "SHAKEN/STIR", cnam: "CNAM" };

/** What a status means for a lead's phone, and what to do where it is missing. */
const ADVICE: Record<Registration, Record<RegistrationStatus, string>> = {
  shakenStir: {
    "twilio-approved": "approved (calls signed A: verified caller)",
    "in-review": "in Twilio's review",
    "pending-review": "submitted, waiting for Twilio's review",
    draft: "a draft: submit the SHAKEN/STIR Trust Product in Trust Hub",
    "twilio-rejected": "rejected: fix what Twilio's review names in Trust Hub and submit again",
    none: "missing: calls go out unverified and are likelier to be labelled spam. Register a Business Profile and a SHAKEN/STIR Trust Product in Twilio's Trust Hub, and assign this number",
  },
  cnam: {
    "twilio-approved": "approved (the team's name shows)",
    "in-review": "in Twilio's review",
    "pending-review": "submitted, waiting for Twilio's review",
    draft: "a draft: submit the CNAM Trust Product in Trust Hub",
    "twilio-rejected": "rejected: fix what Twilio's review names in Trust Hub and submit again",
    none: "missing: leads see a bare number or a carrier's guess. Register CNAM (the caller name) in Twilio's Trust Hub and assign this number",
  },
};

const MAX_LISTED = 40;

function numberLine(n: NumberReport, cap: number): string {
  const where = [n.areaCode, n.state].filter(Boolean).join(", ");
  const tags = [n.inPool ? "*in the pool*" : "not in the pool", n.isTeamNumber ? "team number" : undefined]
    .filter(Boolean)
    .join(" · ");
  const rate =
    n.callsThisWeek > 0 ? `${Math.round((100 * n.answeredThisWeek) / n.callsThisWeek)}% answered` : "no calls";
  const routing = n.routesInbound
    ? "call-backs reach Leadline"
    : `:warning: call-backs do not reach Leadline${n.inPool ? ": not used until fixed (`/twilio-setup numbers add` again)" : ""}`;
  const texts =
    n.textSender === undefined
      ? ""
      : n.textSender
        ? " · sends texts"
        : n.inPool
          ? " · not a texting sender (`/twilio-setup numbers add` again adds it to the Messaging Service)"
          : "";
  const lines = [
    `*${phoneText(n.number)}*${where ? ` (${where})` : ""} · ${tags}${texts}`,
    // The team number is what is left when the pool cannot serve a lead: it has no cap.
    `Today ${n.isTeamNumber && !n.inPool ? `${n.callsToday} (no cap)` : `${n.callsToday}/${cap}`} · this week ${n.callsThisWeek} (${rate}) · ${routing}`,
  ];
  if (n.registrations)
    for (const kind of Object.keys(NAMES) as Registration[])
      lines.push(`${NAMES[kind]}: ${ADVICE[kind][n.registrations[kind]]}`);
  return lines.join("\n");
}

/** `/twilio-setup numbers`: each number of the account with its calls, routing and registrations. */
export function poolMessage(report: PoolReport): { text: string; blocks: KnownBlock[] } {
  const inPool = report.numbers.filter((n) => n.inPool).length;
  const text = `${report.numbers.length} number${report.numbers.length === 1 ? "" : "s"} on the Twilio account, ${inPool} in the caller-ID pool (cap ${report.cap} calls a day each).`;
  const blocks: KnownBlock[] = [mrkdwnSection(`:telephone_receiver: ${text}`)];
  for (const n of report.numbers.slice(0, MAX_LISTED)) blocks.push(mrkdwnSection(numberLine(n, report.cap)));
  const notes = [
    report.numbers.length > MAX_LISTED ? `${report.numbers.length - MAX_LISTED} more not shown.` : undefined,
    report.released.length > 0
      ? `Released in Twilio since the last look: ${report.released.map((n) => phoneText(n)).join(", ")}.`
      : undefined,
    report.trustHubUnread ? `Registrations unknown: ${report.trustHubUnread}.` : undefined,
    inPool === 0 ? "With no pool, every call shows the team number." : undefined,
  ].filter(Boolean);
  if (notes.length > 0) blocks.push(context(notes.join(" ")));
  blocks.push(context(NUMBERS_USAGE));
  return { text, blocks };
}

/** What adding a number did for texts, in a sentence (empty when texting is not set up). */
function textsJoinText(texts: TextsJoin): string {
  switch (texts.kind) {
    case "joined":
      return " It joined the texting Messaging Service's senders: texts to its leads can come from it, and texts to it reach Leadline.";
    case "already":
      return " It is one of the texting Messaging Service's senders: texts to its leads can come from it too.";
    case "no_sms":
      return " It cannot send or take texts (Twilio lists no SMS for it).";
    case "refused":
      return texts.code === 21712
        ? " :warning: It belongs to another Messaging Service, so texts do not come from it: remove it there in Twilio's Console, then add it again here."
        : ` :warning: It could not join the texting Messaging Service (Twilio ${texts.code ?? "error"}: ${texts.message}), so texts do not come from it.`;
    default:
      return "";
  }
}

export function numberAddedMessage(
  number: string,
  previousVoiceUrl: string | null,
  texts: TextsJoin = { kind: "no_service" },
): { text: string } {
  return {
    text: `:white_check_mark: ${phoneText(number)} is in the caller-ID pool, and a lead who calls it back reaches the team.${previousVoiceUrl ? " Its previous Voice URL was replaced." : ""}${textsJoinText(texts)}`,
  };
}

export function numberRemovedMessage(number: string): { text: string } {
  return { text: `${phoneText(number)} left the caller-ID pool; no call will show it any more.` };
}

export function capSetMessage(cap: number): { text: string } {
  return { text: `Each pool number now places at most ${cap} calls a day (counted from its own local midnight).` };
}

/** Told in the leads channel, for the admins: a pool number can no longer be used, and what to do. */
export function numberDroppedMessage(number: string, reason: "released" | "not_routing"): { text: string } {
  return {
    text:
      reason === "released"
        ? `:warning: Admins: ${phoneText(number)} was released in Twilio, so it left the caller-ID pool; calls use the next best number. \`/twilio-setup numbers\` shows the pool.`
        : `:warning: Admins: calls to ${phoneText(number)} no longer reach Leadline (its Voice URL changed in Twilio), so no call shows it until \`/twilio-setup numbers add ${number}\` points it back.`,
  };
}
