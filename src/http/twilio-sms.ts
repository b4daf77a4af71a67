import { z } from "zod";
import type { TextInbound } from "../services/texts/text-inbound.js";
import { HttpError, type Router } from "./router.js";
import { sendTwiml, type VerifyTwilioWebhook, type WorkspaceOfWebhook } from "./twilio-webhooks.js";

const id = z
  .string()
  .regex(/^\d{1,9}$/)
  .transform(Number);
const query = z.object({ ws: id, text: id.optional() });
const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/);
/** Twilio joins a long text into one Body of at most 1,600 characters; anything longer is not Twilio's. */
const INBOUND_BODY_MAX = 1600;
const incoming = z.object({
  MessageSid: z.string().regex(/^(SM|MM)[0-9a-f]{32}$/i),
  From: e164,
  To: e164,
  Body: z.string().max(INBOUND_BODY_MAX).default(""),
  OptOutType: z.string().max(10).optional(),
});
const status = z.object({
  MessageSid: z.string().regex(/^(SM|MM)[0-9a-f]{32}$/i),
  MessageStatus: z.string().min(1).max(20),
  ErrorCode: z
    .string()
    .regex(/^\d{1,6}$/)
    .transform(Number)
    .optional(),
  ErrorMessage: z.string().max(500).optional(),
});

export interface TwilioSmsDeps {
  verify: VerifyTwilioWebhook;
  textInbound: TextInbound;
}

/**
 * Texts from Twilio: the Messaging Service's inbound URL (`/twilio/sms/inbound?ws=`) and each text's
 * status callback (`/twilio/sms/status?ws=&text=`), both signed and verified with the workspace's Auth
 * Token like voice webhooks. The inbound text is stored before the answer; Slack gets it from the outbox.
 */
export function registerTwilioSms(router: Router, deps: TwilioSmsDeps): void {
  const ofQuery: WorkspaceOfWebhook = async (_params, url) => {
    const parsed = query.safeParse(Object.fromEntries(url.searchParams));
    return parsed.success ? parsed.data.ws : undefined;
  };

  router.add("POST", "/twilio/sms/inbound", async ({ req, res }) => {
    const { params, ws } = await deps.verify(req, ofQuery);
    const body = incoming.safeParse(params);
    if (!body.success)
      throw new HttpError(400, "bad request", {
        error: "invalid_text",
        detail: body.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; "),
      });
    await deps.textInbound.receive(ws, {
      sid: body.data.MessageSid,
      from: body.data.From,
      to: body.data.To,
      body: body.data.Body,
      ...(body.data.OptOutType ? { optOutType: body.data.OptOutType } : {}),
    });
    // No reply from Leadline itself: Twilio answers STOP/HELP on its own.
    sendTwiml(res, '<?xml version="1.0" encoding="UTF-8"?><Response/>');
  });

  router.add("POST", "/twilio/sms/status", async ({ req, res }) => {
    const { params, ws } = await deps.verify(req, ofQuery);
    const body = status.safeParse(params);
    if (!body.success) throw new HttpError(400, "bad request", { error: "invalid_status" });
    await deps.textInbound.status(ws, body.data.MessageSid, body.data.MessageStatus, {
      code: body.data.ErrorCode ?? null,
      message: body.data.ErrorMessage ?? null,
    });
    res.writeHead(204);
    res.end();
  });
}
