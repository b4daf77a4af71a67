import type { App } from "@slack/bolt";
import { UserError } from "../../lib/errors.js";
import { crmFields, INPUT_ACTION, ids } from "../../lib/ids.js";
import type { CrmConnected, CrmSetup } from "../../services/crm/crm-setup.js";
import { crmConnectedMessage, crmSetupChecking, crmSetupDone, crmSetupModal } from "../../views/crm-setup.js";
import { errorMessage } from "../../views/errors.js";
import type { ListenerBase } from "../shared/base.js";
import { metadataOr, origin } from "../shared/payloads.js";
import { workspaceOf } from "../shared/workspace.js";

export interface CrmSetupSubmitDeps extends ListenerBase {
  crmSetup: Pick<CrmSetup, "connect">;
  /** The CRM's name in words ("Follow Up Boss"). */
  crmName: string;
}

/** Slack wants the submission's answer within 3 s: a slower CRM gets a "checking…" view, updated after. */
const ANSWER_WITHIN_MS = 2_000;

type Outcome = { kind: "connected"; result: CrmConnected } | { kind: "refused"; words: string };

/**
 * The /crm-setup key submitted: checked with the CRM (its own words on the field when refused), then
 * saved encrypted. The key is read from the submission only; it never goes into a view, metadata or log.
 */
export function registerCrmSetupSubmit(app: App, deps: CrmSetupSubmitDeps): void {
  const attempt = async (ws: number, userId: string, key: string): Promise<Outcome> => {
    try {
      return { kind: "connected", result: await deps.crmSetup.connect(ws, userId, key) };
    } catch (error) {
      if (!(error instanceof UserError)) deps.log.error({ err: error }, "/crm-setup could not connect");
      return { kind: "refused", words: errorMessage(error, { now: deps.clock.now() }).text.replace(/^:x: /, "") };
    }
  };

  app.view(ids.crm.setupCallbackId, async ({ ack, body, view, context }) => {
    const ws = workspaceOf(context);
    const userId = body.user.id;
    const { channel } = metadataOr(origin, view.private_metadata, {});
    const key = view.state.values[crmFields.apiKey]?.[INPUT_ACTION]?.value ?? "";
    const running = attempt(ws, userId, key);
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
    await ack({ response_action: "update", view: crmSetupChecking(deps.crmName, view.private_metadata) });
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
        crmSetupModal({ provider: deps.crmName, notice: outcome.words, privateMetadata: view.private_metadata }),
      );
    });
  });
}
