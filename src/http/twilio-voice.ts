import { z } from "zod";
import { ExternalError, UserError } from "../lib/errors.js";
import type { Logger } from "../lib/log.js";
import type { BrowserPhoneService } from "../services/calls/browser-phone.js";
import type { CallService } from "../services/calls/call-service.js";
import { sayAndHangUpTwiml } from "../services/twilio/twiml.js";
import { userErrorWords } from "../views/error-words/index.js";
import type { Router } from "./router.js";
import { sendTwiml, type VerifyTwilioWebhook } from "./twilio-webhooks.js";

/** What Twilio posts to a TwiML App's voice URL for a browser call, with the page's own `link` parameter. */
const browserCall = z.object({
  CallSid: z.string().regex(/^CA[0-9a-f]{32}$/i),
  From: z.string().max(200).optional(),
  Caller: z.string().max(200).optional(),
  link: z.string().regex(/^[\w-]{10,60}$/),
});

export interface TwilioVoiceDeps {
  verify: VerifyTwilioWebhook;
  browserPhone: Pick<BrowserPhoneService, "workspaceOfLink">;
  calls: Pick<CallService, "startBrowserCall">;
  log: Logger;
}

export function registerTwilioVoice(router: Router, deps: TwilioVoiceDeps): void {
  /** The TwiML App's voice URL: Twilio asks what to do with a browser call; we dial the lead by id. */
  router.add("POST", "/twilio/voice/browser", async ({ req, res }) => {
    const { params: raw } = await deps.verify(req, async (params) =>
      params.link ? deps.browserPhone.workspaceOfLink(params.link) : undefined,
    );
    const parsed = browserCall.safeParse(raw);
    // Twilio is mid-call: whatever is wrong, the caller hears why in words, never an error page.
    if (!parsed.success) return sendTwiml(res, sayAndHangUpTwiml("This call could not be connected. Goodbye."));
    const params = parsed.data;
    try {
      const started = await deps.calls.startBrowserCall({
        linkId: params.link,
        identity: (params.From ?? params.Caller ?? "").replace(/^client:/, ""),
        callSid: params.CallSid,
      });
      sendTwiml(res, started.twiml);
    } catch (error) {
      const message =
        error instanceof UserError
          ? userErrorWords(error)
          : error instanceof ExternalError
            ? error.message
            : "The call could not be connected.";
      if (!(error instanceof UserError)) deps.log.error({ err: error }, "browser call failed");
      sendTwiml(res, sayAndHangUpTwiml(message.replace(/[`*<>@]/g, "")));
    }
  });
}
