import type { Deps } from "../deps.js";
import { registerApiTokenPage } from "./api-token.js";
import { registerCharts } from "./charts.js";
import { registerHealth } from "./health.js";
import { registerLeadsApi } from "./leads-api.js";
import { registerPhone, type SoftphoneOverride } from "./phone.js";
import type { Router } from "./router.js";
import { registerTwilioInbound } from "./twilio-inbound.js";
import { registerTwilioStatus } from "./twilio-status.js";
import { registerTwilioVoice } from "./twilio-voice.js";

export function registerRoutes(
  router: Router,
  deps: Deps,
  options: { slackReachable: () => Promise<boolean>; softphone?: SoftphoneOverride },
): void {
  registerHealth(router, deps, options.slackReachable);
  registerApiTokenPage(router, deps);
  registerLeadsApi(router, deps);
  registerPhone(router, deps, options.softphone);
  registerTwilioVoice(router, deps);
  registerTwilioStatus(router, deps);
  registerCharts(router, deps);
  registerTwilioInbound(router, deps);
}
