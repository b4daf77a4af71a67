import type { App } from "@slack/bolt";
import { isExpected } from "../../lib/errors.js";
import type { CrmSetups } from "../../services/crm/crm-setups.js";
import {
  CRM_SETUP_USAGE,
  crmDisconnectedMessage,
  crmMappedMessage,
  crmSetupModal,
  crmStatusMessage,
  crmUnknownMessage,
} from "../../views/crm-setup.js";
import { errorMessage } from "../../views/errors.js";
import type { ListenerBase } from "../shared/base.js";
import { workspaceOf } from "../shared/workspace.js";

export interface CrmSetupCommandDeps extends ListenerBase {
  crmSetup: Pick<CrmSetups, "status" | "mapUser" | "disconnect" | "current" | "choices">;
}

/** `map <@U…|name> someone@team.com` (Slack escapes the mention) or `map U… someone@team.com`. */
const MAP = /^map\s+<?@?([UW][A-Z0-9]{2,})(?:\|[^>]*)?>?\s+(\S+@\S+)\s*$/i;

export type CrmSetupVerb =
  /** The form for the CRM named (a registry id), or for the connected one (else the default). */
  | { kind: "open"; provider?: string }
  | { kind: "status" }
  | { kind: "disconnect" }
  | { kind: "map"; slackUserId: string; email: string }
  | { kind: "usage"; why?: string };

export function parseCrmSetup(text: string): CrmSetupVerb {
  const trimmed = text.trim().replace(/\s+/g, " ");
  const verb = trimmed.toLowerCase();
  if (verb === "") return { kind: "open" };
  if (verb === "status") return { kind: "status" };
  if (verb === "disconnect") return { kind: "disconnect" };
  if (/^[a-z0-9-]{1,40}$/.test(verb) && verb !== "help" && !verb.startsWith("map"))
    return { kind: "open", provider: verb };
  if (verb.startsWith("map")) {
    const found = MAP.exec(trimmed);
    if (!found)
      return {
        kind: "usage",
        why: "To match a user, name them and give their CRM email: `/crm-setup map @maria maria@team.com`.",
      };
    return { kind: "map", slackUserId: found[1]!.toUpperCase(), email: found[2]! };
  }
  return { kind: "usage" };
}

/** `/crm-setup` (admins): the key modal, the sync's status with Retry, the user map, disconnect. */
export function registerCrmSetupCommand(app: App, deps: CrmSetupCommandDeps): void {
  const answer = async (
    ws: number,
    asked: Exclude<CrmSetupVerb, { kind: "usage" }>,
    command: {
      user_id: string;
      trigger_id: string;
      channel_id: string;
    },
  ) => {
    const by = command.user_id;
    if (asked.kind === "status") return crmStatusMessage(await deps.crmSetup.status(ws, by), deps.clock.now());
    if (asked.kind === "map") {
      const user = await deps.crmSetup.mapUser(ws, by, asked.slackUserId, asked.email);
      return crmMappedMessage(asked.slackUserId, user);
    }
    if (asked.kind === "disconnect") {
      const { provider } = await deps.crmSetup.status(ws, by);
      await deps.crmSetup.disconnect(ws, by);
      return crmDisconnectedMessage(provider);
    }
    // The status call is also the admin check: only admins see the form.
    const status = await deps.crmSetup.status(ws, by);
    const crm =
      asked.provider === undefined
        ? await deps.crmSetup.current(ws)
        : deps.crmSetup.choices.find((choice) => choice.id === asked.provider);
    if (!crm) return crmUnknownMessage(asked.provider ?? "", deps.crmSetup.choices);
    await (await deps.slackFor(ws)).openView(
      command.trigger_id,
      crmSetupModal({
        provider: crm.name,
        asks: crm.setup,
        connected: status.connected ? { accountName: status.accountName, keyUserName: status.keyUserName } : undefined,
        privateMetadata: JSON.stringify({ channel: command.channel_id, crm: crm.id }),
      }),
    );
    return undefined;
  };

  app.command("/crm-setup", async ({ command, ack, respond, context }) => {
    const asked = parseCrmSetup(command.text);
    if (asked.kind === "usage") {
      await ack({ response_type: "ephemeral", text: asked.why ? `${asked.why}\n${CRM_SETUP_USAGE}` : CRM_SETUP_USAGE });
      return;
    }
    await ack();
    try {
      const reply = await answer(workspaceOf(context), asked, command);
      if (reply) await respond({ response_type: "ephemeral", ...reply });
    } catch (error) {
      if (!isExpected(error)) deps.log.error({ err: error }, "/crm-setup failed");
      await respond({ response_type: "ephemeral", ...errorMessage(error, { now: deps.clock.now() }) });
    }
  });
}
