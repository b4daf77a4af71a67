import { z } from "zod";
import type { Logger } from "../lib/log.js";
import type { QueueRuns } from "../services/queues/queue-runs.js";
import type { QueueSupervision } from "../services/queues/queue-supervise.js";
import { queueAgentUrls } from "../services/queues/queue-twilio.js";
import { queueAgentPromptTwiml, queueJoinTwiml, sayAndHangUpTwiml } from "../services/twilio/twiml.js";
import { HttpError, type Router, sendText } from "./router.js";
import { sendTwiml, type VerifyTwilioWebhook } from "./twilio-webhooks.js";

/** Every queue webhook names its run and workspace in the signed URL. */
const runQuery = z.object({ run: z.coerce.number().int().positive(), ws: z.coerce.number().int().positive() });
/** The agent's line, as Twilio names it in the webhook (kept when the create's answer was never saved). */
const lineSid = z.string().regex(/^CA[0-9a-f]{32}$/i);

export interface TwilioQueueDeps {
  verify: VerifyTwilioWebhook;
  queueRuns: Pick<QueueRuns, "run" | "agentJoined" | "agentLeg">;
  queueSupervision: Pick<QueueSupervision, "supervisorLeg">;
  publicBaseUrl?: string;
  log: Logger;
}

/**
 * A queue run's webhooks: the agent's phone answered (press a key), the key (join the run's conference),
 * the agent's leg status (its end ends the run) and the conference's events (logged). The run's
 * workspace comes from the run itself, so a webhook naming another workspace's run fails its signature.
 */
export function registerTwilioQueue(router: Router, deps: TwilioQueueDeps): void {
  const runOf = (url: URL) => {
    const query = runQuery.safeParse(Object.fromEntries(url.searchParams));
    if (!query.success) throw new HttpError(404, "unknown run", { error: "unknown_run" });
    return query.data;
  };
  const verified = async (req: Parameters<VerifyTwilioWebhook>[0], url: URL) => {
    const { run: runId } = runOf(url);
    const { params } = await deps.verify(req, async () => (await deps.queueRuns.run(runId))?.run.workspaceId);
    return { params, runId };
  };

  router.add("POST", "/twilio/voice/queue/agent", async ({ req, res, url }) => {
    const { runId } = await verified(req, url);
    const found = await deps.queueRuns.run(runId);
    if (!found || found.run.status === "ended" || !found.queue)
      return sendTwiml(res, sayAndHangUpTwiml("This queue run has ended. Goodbye."));
    const join = queueAgentUrls(deps.publicBaseUrl, found.run.workspaceId, runId).join;
    sendTwiml(res, queueAgentPromptTwiml({ queueName: found.queue.name, joinUrl: join }));
  });

  router.add("POST", "/twilio/voice/queue/join", async ({ req, res, url }) => {
    const { params, runId } = await verified(req, url);
    const line = lineSid.safeParse(params.CallSid);
    const joined = await deps.queueRuns.agentJoined(
      runId,
      Boolean(params.Digits),
      line.success ? line.data : undefined,
    );
    if (!joined.join || !joined.run) return sendTwiml(res, sayAndHangUpTwiml("No key was pressed. Goodbye."));
    const urls = queueAgentUrls(deps.publicBaseUrl, joined.run.workspaceId, runId);
    sendTwiml(res, queueJoinTwiml({ conference: joined.run.conference, statusCallback: urls.conference }));
  });

  router.add("POST", "/twilio/queue/agent-status", async ({ req, res, url }) => {
    const { params, runId } = await verified(req, url);
    if (params.CallStatus) await deps.queueRuns.agentLeg(runId, params.CallStatus);
    sendText(res, 204, "");
  });

  router.add("POST", "/twilio/queue/supervisor-status", async ({ req, res, url }) => {
    const { params, runId } = await verified(req, url);
    if (params.CallStatus) await deps.queueSupervision.supervisorLeg(runId, params.CallSid, params.CallStatus);
    sendText(res, 204, "");
  });

  router.add("POST", "/twilio/queue/conference", async ({ req, res, url }) => {
    const { params, runId } = await verified(req, url);
    deps.log.debug({ runId, event: params.StatusCallbackEvent }, "queue conference event");
    sendText(res, 204, "");
  });
}
