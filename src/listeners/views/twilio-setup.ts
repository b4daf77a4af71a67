import type { App, ViewSubmitAction } from "@slack/bolt";
import { INPUT_ACTION, ids, setupFields } from "../../lib/ids.js";
import { SETTING_KEYS, type SettingKey, type SettingsService } from "../../services/setup/settings.js";
import type { FieldErrors, SetupFlow, SetupInput, SetupOutcome } from "../../services/setup/setup-flow.js";
import {
  setupNotSavedNotice,
  setupSavedMessage,
  TWILIO_SETUP_REFUSAL,
  twilioSetupChecking,
  twilioSetupDone,
  twilioSetupModal,
} from "../../views/twilio-setup.js";
import type { ListenerBase } from "../shared/base.js";
import { metadataOr, origin } from "../shared/payloads.js";
import { workspaceOf } from "../shared/workspace.js";

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

export interface TwilioSetupSubmitDeps extends ListenerBase {
  setup: Pick<SetupFlow, "submit">;
  settings: Pick<SettingsService, "get">;
}

/** The /twilio-setup modal submitted: checked with Twilio, saved encrypted; a slow Twilio keeps it "checking…". */
export function registerTwilioSetupSubmit(app: App, deps: TwilioSetupSubmitDeps): void {
  /** Tells the admin what was saved (masked): ephemerally where they ran the command, else by DM. */
  const confirm = async (
    ws: number,
    userId: string,
    channel: string | undefined,
    saved: Extract<SetupOutcome, { kind: "saved" }>,
  ) => (await deps.slackFor(ws)).tell(userId, { channel }, setupSavedMessage(saved.settings, saved.changed));

  /** Twilio answered after the modal said "checking…": the outcome in the same modal. */
  const settle = async (
    ws: number,
    userId: string,
    channel: string | undefined,
    viewId: string,
    metadata: string,
    outcome: SetupOutcome,
  ) => {
    const slack = await deps.slackFor(ws);
    if (outcome.kind === "saved") {
      await slack.updateView(viewId, twilioSetupDone(outcome.settings, outcome.changed));
      await confirm(ws, userId, channel, outcome);
      return;
    }
    await slack.updateView(
      viewId,
      twilioSetupModal({
        stored: await deps.settings.get(ws),
        typed: outcome.kind === "errors" ? outcome.typed : undefined,
        heldSecrets: outcome.kind === "errors" ? outcome.heldSecrets : undefined,
        notice: outcome.kind === "errors" ? setupNotSavedNotice(outcome.errors) : TWILIO_SETUP_REFUSAL,
        privateMetadata: metadata,
      }),
    );
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
    deps.tasks.run(async () => settle(ws, userId, channel, view.id, view.private_metadata, await result.outcome));
  });
}
