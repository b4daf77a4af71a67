import type { KnownBlock, ModalView } from "@slack/types";
import { crmFields, INPUT_ACTION, ids } from "../lib/ids.js";
import { ago } from "../lib/time.js";
import type { CrmSetupAsks } from "../services/crm/connector.js";
import type { CrmConnected, CrmStatus } from "../services/crm/crm-setup.js";
import { context, countOf, escapeTruncate, mrkdwnSection, plain } from "./common.js";

// /crm-setup: connecting the team's CRM (Follow Up Boss first), its user map and its outbox.

/** A Slack user id Leadline stored, as a mention; anything else is left out. */
const mention = (id: string) => (/^[UW][A-Z0-9]+$/.test(id) ? `<@${id}>` : "someone");

export const CRM_SETUP_USAGE =
  "Usage: `/crm-setup` to connect the team's CRM with an API key (admins; `/crm-setup <crm>` for another of the CRMs Leadline knows), `/crm-setup status` to see the sync (sent, waiting, failed) with a Retry, `/crm-setup map @someone their-crm-email@team.com` to match a Slack user to a CRM user, `/crm-setup disconnect` to stop syncing (admins).";

export interface CrmModalInput {
  provider: string;
  /** What the CRM's adapter asks for (its registry entry's `setup`). */
  asks: CrmSetupAsks;
  /** What is connected now, if anything (a new key replaces it). */
  connected?: { accountName: string | null; keyUserName: string | null };
  notice?: string;
  privateMetadata: string;
}

/** The API key form. The key typed is never put back into a view or its metadata. */
export function crmSetupModal(input: CrmModalInput): ModalView {
  const blocks: KnownBlock[] = [];
  const { credential, webhooksNeed } = input.asks;
  if (input.notice) blocks.push(mrkdwnSection(`:warning: ${escapeTruncate(input.notice, 2900)}`));
  if (input.connected)
    blocks.push(
      context(
        `Connected now: ${escapeTruncate(input.connected.accountName ?? input.provider, 200)}, with the key of ${escapeTruncate(input.connected.keyUserName ?? "an unknown user", 200)}. A new key replaces it.`,
      ),
    );
  const owner = webhooksNeed
    ? ` Use ${webhooksNeed}'s key so Leadline can add ${input.provider}'s webhooks (new and changed people); another user's key may see only that user's people.`
    : "";
  blocks.push(
    context(
      `The key is checked with ${input.provider} before anything is saved, then stored encrypted. It is never shown again. Leadline logs every finished call and text in ${input.provider}, and ${input.provider}'s new leads are posted in the leads channel.`,
    ),
    {
      type: "input",
      block_id: crmFields.apiKey,
      label: plain(`${input.provider} ${credential.label}`.slice(0, 2000)),
      hint: plain(`In ${input.provider}: ${credential.whereInCrm}.${owner}`.slice(0, 2000)),
      element: { type: "plain_text_input", action_id: INPUT_ACTION, max_length: 200 },
    },
  );
  return {
    type: "modal",
    callback_id: ids.crm.setupCallbackId,
    title: plain(`Connect ${input.provider}`.slice(0, 24)),
    submit: plain("Check and save"),
    close: plain("Cancel"),
    private_metadata: input.privateMetadata,
    blocks,
  };
}

export function crmSetupChecking(provider: string, privateMetadata: string): ModalView {
  return {
    type: "modal",
    callback_id: ids.crm.checkingCallbackId,
    title: plain(`Connect ${provider}`.slice(0, 24)),
    close: plain("Close"),
    private_metadata: privateMetadata,
    blocks: [
      mrkdwnSection(`:hourglass_flowing_sand: *Checking the key with ${escapeTruncate(provider, 100)}…*`),
      context(`${escapeTruncate(provider, 100)} is slow to answer. This window updates by itself.`),
    ],
  };
}

function webhookLine(provider: string, webhooks: { registered: boolean; error: string | null }): string {
  if (webhooks.registered)
    return `:white_check_mark: ${provider} tells Leadline about new and changed people (webhooks added).`;
  return `:information_source: ${provider}'s new leads do not reach Leadline: ${escapeTruncate(webhooks.error ?? "no webhooks were added", 500)}`;
}

/** What connecting did: the account, the users matched by email, the ones left to map, the webhooks. */
function connectedLines(result: CrmConnected): string[] {
  const provider = escapeTruncate(result.provider, 100);
  const lines = [
    `:white_check_mark: *${provider} is connected*: ${escapeTruncate(result.accountName || provider, 200)}, with the key of ${escapeTruncate(result.keyUserName, 200)}. Every finished call and text is logged there from now on.`,
  ];
  if (result.matched.length > 0)
    lines.push(
      `Matched by email: ${result.matched
        .slice(0, 30)
        .map((m) => `${mention(m.slackUserId)} → ${escapeTruncate(m.email, 100)}`)
        .join(", ")}${result.matched.length > 30 ? ` and ${result.matched.length - 30} more` : ""}.`,
    );
  if (result.unmatched.length > 0)
    lines.push(
      `:information_source: No Slack user has the email of ${countOf(result.unmatched.length, `${provider} user`)}: ${result.unmatched
        .slice(0, 20)
        .map((u) => `${escapeTruncate(u.name, 80)} (${escapeTruncate(u.email, 100)})`)
        .join(
          ", ",
        )}${result.unmatched.length > 20 ? " …" : ""}. Match them with \`/crm-setup map @someone their-email\`; until then their calls are logged as the key's user.`,
    );
  lines.push(webhookLine(provider, { registered: result.webhooks.registered > 0, error: result.webhooks.error }));
  return lines;
}

export function crmConnectedMessage(result: CrmConnected): { text: string } {
  return { text: connectedLines(result).join("\n") };
}

export function crmSetupDone(result: CrmConnected): ModalView {
  return {
    type: "modal",
    callback_id: ids.crm.doneCallbackId,
    title: plain(`${result.provider} connected`.slice(0, 24)),
    close: plain("Done"),
    blocks: connectedLines(result).map(mrkdwnSection),
  };
}

/** The outbox's lines: sent, waiting (and since when), failed with the CRM's last words. */
function outboxLines(status: CrmStatus, now: Date): string[] {
  const { outbox } = status;
  const provider = escapeTruncate(status.provider, 100);
  const lines = [
    `*Sync to ${provider}*: ${countOf(outbox.sent, "call or text", "calls and texts")} logged · ${outbox.waiting} waiting · ${outbox.failed} failed`,
  ];
  if (outbox.oldestWaiting)
    lines.push(
      `:hourglass_flowing_sand: The oldest waiting has waited ${ago(outbox.oldestWaiting, now)} (since ${outbox.oldestWaiting.toISOString().slice(0, 16).replace("T", " ")} UTC). Nothing is lost while ${provider} is down: every row is kept and sent when it answers again.`,
    );
  if (status.pausedUntil)
    lines.push(
      `:traffic_light: ${provider} asked Leadline to slow down: nothing is sent before ${status.pausedUntil.toISOString().slice(11, 19)} UTC.`,
    );
  for (const failure of outbox.failures)
    lines.push(
      `:x: \`${escapeTruncate(failure.sid, 40)}\` after ${countOf(failure.attempts, "try", "tries")}: ${escapeTruncate(failure.lastError ?? "no answer", 400)}`,
    );
  if (outbox.failed > outbox.failures.length)
    lines.push(`… and ${outbox.failed - outbox.failures.length} more failed.`);
  return lines;
}

export function crmStatusMessage(status: CrmStatus, now: Date): { text: string; blocks: KnownBlock[] } {
  const provider = escapeTruncate(status.provider, 100);
  if (!status.connected) {
    const text = `:information_source: ${provider} is not connected. An admin can run \`/crm-setup\` with ${provider}'s API key.`;
    const waiting = status.outbox.waiting > 0 ? ` ${status.outbox.waiting} rows wait for it.` : "";
    return { text: text + waiting, blocks: [mrkdwnSection(text + waiting)] };
  }
  const head = [
    `:white_check_mark: *${provider}* connected: ${escapeTruncate(status.accountName || provider, 200)}, key of ${escapeTruncate(status.keyUserName ?? "an unknown user", 200)}.`,
    webhookLine(provider, { registered: status.webhooksRegistered, error: status.webhookError }),
  ];
  const users =
    status.users.length === 0
      ? "No Slack user is matched to a CRM user: calls are logged as the key's user. `/crm-setup map @someone their-email`."
      : `Users: ${status.users
          .slice(0, 40)
          .map((u) => `${mention(u.slackUserId)} → ${escapeTruncate(u.email, 100)}`)
          .join(", ")}${status.users.length > 40 ? " …" : ""}`;
  const outbox = outboxLines(status, now);
  const blocks: KnownBlock[] = [mrkdwnSection(head.join("\n")), mrkdwnSection(users), mrkdwnSection(outbox.join("\n"))];
  if (status.outbox.failed > 0)
    blocks.push({
      type: "actions",
      elements: [
        {
          type: "button",
          action_id: ids.crm.retryAction,
          text: plain(`Retry ${countOf(status.outbox.failed, "failed row")}`),
          value: "retry",
          style: "primary",
        },
      ],
    });
  return { text: [...head, users, ...outbox].join("\n"), blocks };
}

export function crmRetriedMessage(count: number, provider: string): { text: string } {
  return {
    text:
      count === 0
        ? ":information_source: Nothing had failed; nothing to retry."
        : `:arrows_counterclockwise: ${countOf(count, "failed row")} will be sent to ${escapeTruncate(provider, 100)} again now. \`/crm-setup status\` shows how it went.`,
  };
}

/** After Retry: what was put back, then the status as it is now (its Retry gone when nothing failed). */
export function crmRetriedStatus(count: number, status: CrmStatus, now: Date): { text: string; blocks: KnownBlock[] } {
  const said = crmRetriedMessage(count, status.provider);
  const shown = crmStatusMessage(status, now);
  return { text: `${said.text}\n${shown.text}`, blocks: [mrkdwnSection(said.text), ...shown.blocks] };
}

export function crmMappedMessage(slackUserId: string, user: { name: string; email: string }): { text: string } {
  return {
    text: `:white_check_mark: ${mention(slackUserId)} is ${escapeTruncate(user.name, 100)} (${escapeTruncate(user.email, 100)}) in the CRM: their calls and texts are logged as them, and leads assigned to them there are theirs here.`,
  };
}

export function crmDisconnectedMessage(provider: string): { text: string } {
  return {
    text: `:wastebasket: ${escapeTruncate(provider, 100)} is disconnected: the key is forgotten. Calls and texts already waiting stay in the outbox until it is connected again; new ones are not logged meanwhile.`,
  };
}

/** `/crm-setup <crm>` named no CRM Leadline knows. */
export function crmUnknownMessage(asked: string, known: readonly { id: string; name: string }[]): { text: string } {
  return {
    text: `:x: Leadline knows no CRM called "${escapeTruncate(asked, 40)}". It can connect: ${known
      .map((crm) => `${escapeTruncate(crm.name, 100)} (\`/crm-setup ${crm.id}\`)`)
      .join(", ")}.`,
  };
}
