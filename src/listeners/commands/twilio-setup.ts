import type { App } from "@slack/bolt";
import { isExpected } from "../../lib/errors.js";
import type { CallerIdPool } from "../../services/callerid/pool-admin.js";
import type { AdminGate } from "../../services/setup/admin-gate.js";
import type { InboundNumber } from "../../services/setup/inbound-number.js";
import type { SettingsService } from "../../services/setup/settings.js";
import type { SetupStatus } from "../../services/setup/setup-status.js";
import type { SummarySetup } from "../../services/transcripts/summary-setup.js";
import type { Workspaces } from "../../services/workspaces/workspace-service.js";
import {
  capSetMessage,
  NUMBERS_USAGE,
  numberAddedMessage,
  numberRemovedMessage,
  poolMessage,
} from "../../views/caller-id.js";
import { errorMessage } from "../../views/errors.js";
import { PRIVACY_USAGE, privacySavedMessage, privacyStatusMessage } from "../../views/privacy.js";
import {
  clearConfirmBlocks,
  inboundConnectedMessage,
  leadsApiTokenMessage,
  TWILIO_SETUP_USAGE,
  twilioSetupModal,
  twilioStatusBlocks,
} from "../../views/twilio-setup.js";
import type { ListenerBase } from "../shared/base.js";
import { type NumbersVerb, parseNumbersVerb } from "../shared/numbers-verb.js";
import { summariesVerb } from "../shared/summaries-verb.js";
import { workspaceOf } from "../shared/workspace.js";

export interface TwilioSetupCommandDeps extends ListenerBase {
  settings: Pick<SettingsService, "get" | "masksNumbers" | "setMaskNumbers">;
  setupStatus: SetupStatus;
  admins: Pick<AdminGate, "require">;
  inboundNumber: Pick<InboundNumber, "connect">;
  workspaces: Pick<Workspaces, "mode" | "rotateLeadsApiToken">;
  callerIdPool: CallerIdPool;
  defaultCountry: string;
  summarySetup: SummarySetup;
  publicBaseUrl?: string;
}

const ADMIN_VERBS = new Set(["", "clear", "api-token", "inbound", "privacy", "privacy mask", "privacy show"]);

export function registerTwilioSetupCommand(app: App, deps: TwilioSetupCommandDeps): void {
  /** The admin's verbs: what each answers (undefined: the modal was opened instead). */
  const adminVerb = async (
    ws: number,
    verb: string,
    rawText: string,
    userId: string,
    triggerId: string,
    channel: string,
  ) => {
    await deps.admins.require(ws, userId, "twilio_settings", { at: verb || "open" });
    if (verb.startsWith("summaries")) return summariesVerb(deps.summarySetup, ws, rawText, userId);
    if (verb === "privacy") return privacyStatusMessage(await deps.settings.masksNumbers(ws));
    if (verb.startsWith("privacy ")) {
      const mask = verb === "privacy mask";
      return privacySavedMessage(mask, await deps.settings.setMaskNumbers(ws, mask, userId));
    }
    if (verb === "clear") return { text: "Remove every Twilio setting?", blocks: clearConfirmBlocks() };
    if (verb === "inbound") return inboundConnectedMessage(await deps.inboundNumber.connect(ws, userId));
    if (verb === "api-token") {
      // The token itself never goes into Slack: a single-use, 10-minute link to a Leadline page shows it once.
      const link =
        deps.workspaces.mode === "single" ? undefined : await deps.workspaces.rotateLeadsApiToken(ws, userId);
      return leadsApiTokenMessage(link, deps.publicBaseUrl);
    }
    await (await deps.slackFor(ws)).openView(
      triggerId,
      twilioSetupModal({ stored: await deps.settings.get(ws), privateMetadata: JSON.stringify({ channel }) }),
    );
    return undefined;
  };

  /** `/twilio-setup numbers …` (admins): the caller-ID pool. */
  const numbersVerb = async (ws: number, asked: Exclude<NumbersVerb, { kind: "usage" }>, userId: string) => {
    await deps.admins.require(ws, userId, "twilio_settings", { at: `numbers ${asked.kind}` });
    const now = deps.clock.callingNow();
    if (asked.kind === "add") {
      const added = await deps.callerIdPool.add(ws, asked.number, userId, now);
      return numberAddedMessage(asked.number, added.previousVoiceUrl, added.texts);
    }
    if (asked.kind === "remove") {
      await deps.callerIdPool.remove(ws, asked.number, userId);
      return numberRemovedMessage(asked.number);
    }
    if (asked.kind === "cap") {
      await deps.callerIdPool.setCap(ws, asked.cap, userId);
      return capSetMessage(asked.cap);
    }
    return poolMessage(await deps.callerIdPool.report(ws, now));
  };

  app.command("/twilio-setup", async ({ command, ack, respond, context }) => {
    const verb = command.text.trim().toLowerCase().replace(/\s+/g, " ");
    const ws = workspaceOf(context);
    const numbers = parseNumbersVerb(command.text, deps.defaultCountry);
    if (numbers?.kind === "usage") {
      await ack({ response_type: "ephemeral", text: numbers.why ? `${numbers.why} ${NUMBERS_USAGE}` : NUMBERS_USAGE });
      return;
    }
    if (verb === "status") {
      const status = await deps.setupStatus.read(ws);
      await ack({
        response_type: "ephemeral",
        ...twilioStatusBlocks(status.settings, status.unreadable, status.registry, status.inbound),
      });
      return;
    }
    if (!numbers && !ADMIN_VERBS.has(verb) && verb.split(" ")[0] !== "summaries") {
      await ack({ response_type: "ephemeral", text: verb.startsWith("privacy") ? PRIVACY_USAGE : TWILIO_SETUP_USAGE });
      return;
    }
    await ack();
    try {
      const answer = numbers
        ? await numbersVerb(ws, numbers, command.user_id)
        : await adminVerb(ws, verb, command.text, command.user_id, command.trigger_id, command.channel_id);
      if (answer) await respond({ response_type: "ephemeral", ...answer });
    } catch (error) {
      if (!isExpected(error)) deps.log.error({ err: error }, "/twilio-setup failed");
      await respond({ response_type: "ephemeral", ...errorMessage(error, { now: deps.clock.now() }) });
    }
  });
}
