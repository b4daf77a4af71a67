import type { Container } from "../container/index.js";
import { pick } from "../lib/pick.js";
import { registerApiTokenPage } from "./api-token.js";
import { registerCharts } from "./charts.js";
import { registerCrmWebhook } from "./crm-webhook.js";
import { registerHealth } from "./health.js";
import { registerLeadsApi } from "./leads-api.js";
import { registerPhone, type SoftphoneOverride } from "./phone.js";
import type { Router } from "./router.js";
import { registerTwilioInbound } from "./twilio-inbound.js";
import { registerTwilioQueue } from "./twilio-queue.js";
import { registerTwilioSms } from "./twilio-sms.js";
import { registerTwilioStatus } from "./twilio-status.js";
import { registerTwilioVoice } from "./twilio-voice.js";
import { createTwilioWebhookVerifier } from "./twilio-webhooks.js";

/** Every non-Slack route; each gets only the services it uses. */
export function registerRoutes(
  router: Router,
  c: Container,
  options: { slackReachable: () => Promise<boolean>; softphone?: SoftphoneOverride },
): void {
  const verify = createTwilioWebhookVerifier({
    publicBaseUrl: c.config.PUBLIC_BASE_URL,
    settings: c.settings,
    workspaces: c.workspaces,
    log: c.log,
  });
  registerHealth(router, pick(c, "databaseHealth", "log"), options.slackReachable);
  registerApiTokenPage(router, pick(c, "workspaces"));
  registerLeadsApi(router, {
    ...pick(c, "workspaces", "leadIntake", "leads", "dnc", "consents"),
    leadsApiToken: c.config.LEADS_API_TOKEN,
  });
  registerPhone(router, pick(c, "browserPhone"), options.softphone);
  registerTwilioVoice(router, { verify, ...pick(c, "browserPhone", "calls", "log") });
  registerTwilioStatus(router, {
    verify,
    lookup: c.callLookup,
    ...pick(c, "status", "voicemail", "menu", "liveAccept", "recordings", "tasks", "log"),
  });
  registerCharts(router, pick(c, "home", "charts", "clock"));
  registerTwilioInbound(router, { verify, ...pick(c, "inbound", "tasks") });
  registerTwilioQueue(router, {
    verify,
    publicBaseUrl: c.config.PUBLIC_BASE_URL,
    ...pick(c, "queueRuns", "queueSupervision", "log"),
  });
  registerTwilioSms(router, { verify, ...pick(c, "textInbound") });
  registerCrmWebhook(router, pick(c, "crmWebhooks", "workspaces"));
}
