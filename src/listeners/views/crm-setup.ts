import type { App } from "@slack/bolt";
import { z } from "zod";
import { UserError } from "../../lib/errors.js";
import { crmFields, INPUT_ACTION, ids } from "../../lib/ids.js";
import type { CrmConnected } from "../../services/crm/crm-setup.js";
import type { CrmChoice, CrmSetups } from "../../services/crm/crm-setups.js";
import { crmConnectedMessage, crmSetupChecking, crmSetupDone, crmSetupModal } from "../../views/crm-setup.js";
import { errorMessage } from "../../views/errors.js";
import type { ListenerBase } from "../shared/base.js";
import { metadataOr, origin } from "../shared/payloads.js";
import { workspaceOf } from "../shared/workspace.js";

export interface CrmSetupSubmitDeps extends ListenerBase {
  crmSetup: Pick<CrmSetups, "connect" | "current" | "choices">;
}

/** The form's metadata: where it was opened and which CRM it connects (a registry id). */
const formMeta = origin.extend({ crm: z.string().max(40).optional() });

/** Slack wants the submission's answer within 3 s: a slower CRM gets a "checking…" view, updated after. */
const ANSWER_WITHIN_MS = 2_000;

type Outcome = { kind: "connected"; result: CrmConnected } | { kind: "refused"; words: string };

/**
 * The /crm-setup key submitted: checked with the CRM (its own words on the field when refused), then
 * saved encrypted. The key is read from the submission only; it never goes into a view, metadata or log.
 */
export function registerCrmSetupSubmit(app: App, deps: CrmSetupSubmitDeps): void {
  const attempt = async (ws: number, userId: string, key: string, crm: CrmChoice): Promise<Outcome> => {
    try {
      return { kind: "connected", result: await deps.crmSetup.connect(ws, userId, key, crm.id) };
    } catch (error) {
      if (!(error instanceof UserError)) deps.log.error({ err: error }, "/crm-setup could not connect");
      return { kind: "refused", words: errorMessage(error, { now: deps.clock.now() }).text.replace(/^:x: /, "") };
    }
  };

  app.view(ids.crm.setupCallbackId, async ({ ack, body, view, context }) => {
    const ws = workspaceOf(context);
    const userId = body.user.id;
    const meta = metadataOr(formMeta, view.private_metadata, {});
    const { channel } = meta;
    // A form without a CRM named (or naming one Leadline no longer knows) connects the workspace's own.
    const crm = deps.crmSetup.choices.find((choice) => choice.id === meta.crm) ?? (await deps.crmSetup.current(ws));
    const key = view.state.values[crmFields.apiKey]?.[INPUT_ACTION]?.value ?? "";
    const running = attempt(ws, userId, key, crm);
    let late = () => {};
    const timer = setTimeout(() => late(), ANSWER_WITHIN_MS);
    const quick = await Promise.race([
      running,
      new Promise<undefined>((resolve) => {
        late = () => resolve(undefined);
      }),
    ]);
    clearTimeout(timer);
    const tell = async (result: CrmConnected) =>
      (await deps.slackFor(ws)).tell(userId, { channel }, crmConnectedMessage(result));
    if (quick?.kind === "refused") {
      await ack({ response_action: "errors", errors: { [crmFields.apiKey]: quick.words.slice(0, 1000) } });
      return;
    }
    if (quick?.kind === "connected") {
      await ack({ response_action: "update", view: crmSetupDone(quick.result) });
      await tell(quick.result);
      return;
    }
    await ack({ response_action: "update", view: crmSetupChecking(crm.name, view.private_metadata) });
    deps.tasks.run(async () => {
      const outcome = await running;
      const slack = await deps.slackFor(ws);
      if (outcome.kind === "connected") {
        await slack.updateView(view.id, crmSetupDone(outcome.result));
        await tell(outcome.result);
        return;
      }
      await slack.updateView(
        view.id,
        crmSetupModal({
          provider: crm.name,
          asks: crm.setup,
          notice: outcome.words,
          privateMetadata: view.private_metadata,
        }),
      );
    });
  });
}
