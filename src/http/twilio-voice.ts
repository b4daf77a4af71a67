import type { Deps } from "../deps.js";
import { ExternalError, UserError } from "../lib/errors.js";
import { rejectTwiml } from "../services/twilio/twiml.js";
import type { Router } from "./router.js";
import { sendTwiml, verifiedTwilioParams } from "./twilio-webhooks.js";

export function registerTwilioVoice(router: Router, deps: Deps): void {
  /** The TwiML App's voice URL: Twilio asks what to do with a browser call; we dial the lead by id. */
  router.add("POST", "/twilio/voice/browser", async ({ req, res }) => {
    const params = await verifiedTwilioParams(req, deps);
    const identity = (params.From ?? params.Caller ?? "").replace(/^client:/, "");
    try {
      const started = await deps.calls.startBrowserCall({
        linkId: params.link ?? "",
        identity,
        callSid: params.CallSid ?? "",
      });
      sendTwiml(res, started.twiml);
    } catch (error) {
      const message =
        error instanceof UserError || error instanceof ExternalError
          ? error.message
          : "The call could not be connected.";
      if (!(error instanceof UserError)) deps.log.error({ err: error }, "browser call failed");
      sendTwiml(res, rejectTwiml(message.replace(/[`*<>@]/g, "")));
    }
  });
}
