import type { App, BlockAction, ViewSubmitAction } from "@slack/bolt";
import { TWILIO_SETUP_REFUSAL } from "../commands/twilio-setup.js";
import type { Deps } from "../deps.js";
import { INPUT_ACTION, ids, setupFields } from "../lib/ids.js";
import { SETTING_KEYS, type SettingKey } from "../services/setup/settings.js";
import type { FieldErrors, SetupInput, SetupOutcome } from "../services/setup/setup-flow.js";
import { setupSavedMessage, twilioSetupChecking, twilioSetupDone, twilioSetupModal } from "../views/twilio-setup.js";
import { metadataOr, origin } from "./payloads.js";
import { workspaceOf } from "./scope.js";

type ViewState = ViewSubmitAction["view"]["state"];

function readSetupInput(state: ViewState): SetupInput {
  const input: SetupInput = {};
  for (const key of SETTING_KEYS) {
    const element = state.values[setupFields[key]]?.[INPUT_ACTION];
    if (key === "recording") {
      // A checkbox is always an answer: unchecked means off.
      if (element) input[key] = element.selected_options?.some((option) => option.value === "on") ? "on" : "off";
      continue;
    }
    if (typeof element?.value === "string") input[key] = element.value;
  }
  return input;
}

function toBlockErrors(errors: FieldErrors): Record<string, string> {
  return Object.fromEntries(Object.entries(errors).map(([key, message]) => [setupFields[key as SettingKey], message]));
}

export function registerTwilioSetupInteractions(app: App, deps: Deps): void {
  /** Tells the admin what was saved (masked): ephemerally where they ran the command, else by DM. */
  const confirm = async (
    ws: number,
    userId: string,
    channel: string | undefined,
    outcome: Extract<SetupOutcome, { kind: "saved" }>,
  ) => {
    await (await deps.slackFor(ws)).tell(userId, { channel }, setupSavedMessage(outcome.settings, outcome.changed));
  };

  app.view(ids.twilioSetup.callbackId, async ({ ack, body, view, context }) => {
    const ws = workspaceOf(context);
    const userId = body.user.id;
    const { channel } = metadataOr(origin, view.private_metadata, {});
    const result = await deps.setup.submit({ ws, userId, viewId: view.id, input: readSetupInput(view.state) });
    if (result.kind === "forbidden") {
      await ack({ response_action: "errors", errors: { [setupFields.accountSid]: TWILIO_SETUP_REFUSAL } });
      return;
    }
    if (result.kind === "errors") {
      await ack({ response_action: "errors", errors: toBlockErrors(result.errors) });
      return;
    }
    if (result.kind === "saved") {
      await ack({ response_action: "update", view: twilioSetupDone(result.settings, result.changed) });
      await confirm(ws, userId, channel, result);
      return;
    }
    // Twilio is slow: keep the modal open as "checking…", then show the outcome in the same modal.
    await ack({ response_action: "update", view: twilioSetupChecking(view.private_metadata) });
    deps.tasks.run(async () => {
      const outcome = await result.outcome;
      const slack = await deps.slackFor(ws);
      if (outcome.kind === "saved") {
        await slack.updateView(view.id, twilioSetupDone(outcome.settings, outcome.changed));
        await confirm(ws, userId, channel, outcome);
        return;
      }
      const notice =
        outcome.kind === "forbidden"
          ? TWILIO_SETUP_REFUSAL
          : `Nothing was saved. ${Object.entries(outcome.errors)
              .map(([, message]) => message)
              .join(" ")}`;
      await slack.updateView(
        view.id,
        twilioSetupModal({
          stored: await deps.settings.get(ws),
          typed: outcome.kind === "errors" ? outcome.typed : undefined,
          heldSecrets: outcome.kind === "errors" ? outcome.heldSecrets : undefined,
          notice,
          privateMetadata: view.private_metadata,
        }),
      );
    });
  });

  app.action<BlockAction>(ids.twilioSetup.clearAction, async ({ ack, body, respond, context }) => {
    await ack();
    const ws = workspaceOf(context);
    const userId = body.user.id;
    if (!(await deps.admins.isAdmin(ws, userId))) {
      await deps.audit.record(ws, userId, "twilio_settings.forbidden", { at: "clear" });
      await respond({ response_type: "ephemeral", replace_original: false, text: TWILIO_SETUP_REFUSAL });
      return;
    }
    const removed = await deps.settings.clear(ws, userId);
    await respond({
      response_type: "ephemeral",
      replace_original: true,
      text: `:wastebasket: Removed ${removed} Twilio setting${removed === 1 ? "" : "s"}. Calls are off until an admin runs \`/twilio-setup\`.`,
    });
  });
}
