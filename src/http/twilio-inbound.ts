import { z } from "zod";
import type { TaskTracker } from "../lib/tasks.js";
import type { InboundService } from "../services/inbound/inbound-service.js";
import { sayAndHangUpTwiml } from "../services/twilio/twiml.js";
import { type Router, sendText } from "./router.js";
import { sendTwiml, type VerifyTwilioWebhook, type WorkspaceOfWebhook } from "./twilio-webhooks.js";

const id = z
  .string()
  .regex(/^\d{1,9}$/)
  .transform(Number);
const callSid = z.string().regex(/^CA[0-9a-f]{32}$/i);
const inboundQuery = z.object({ ws: id, call: id.optional() });
const incoming = z.object({ CallSid: callSid, From: z.string().min(1).max(40), To: z.string().min(1).max(40) });
const dialDone = z.object({
  DialCallStatus: z.enum(["completed", "answered", "busy", "no-answer", "failed", "canceled"]),
  DialCallDuration: z
    .string()
    .regex(/^\d{1,9}$/)
    .transform(Number)
    .optional(),
});
const recording = z.object({
  RecordingSid: z.string().regex(/^RE[0-9a-f]{32}$/i),
  RecordingStatus: z.string().max(20),
  RecordingDuration: z
    .string()
    .regex(/^-?\d{1,9}$/)
    .transform(Number)
    .optional(),
});
const transcript = z.object({
  TranscriptionText: z.string().max(20_000).default(""),
  TranscriptionStatus: z.string().max(20),
});

/**
 * Calls to the team's number. The Voice URL Leadline sets on the number names the workspace
 * (`?ws=`), and every URL after it the inbound call too (`&call=`): the signature covers both, and
 * is checked with that workspace's Auth Token. Mid-call, anything wrong gets a polite goodbye, never
 * an error page.
 */
export interface TwilioInboundDeps {
  verify: VerifyTwilioWebhook;
  inbound: InboundService;
  tasks: Pick<TaskTracker, "run">;
}

export function registerTwilioInbound(router: Router, deps: TwilioInboundDeps): void {
  const ofQuery: WorkspaceOfWebhook = async (_params, url) => {
    const query = inboundQuery.safeParse(Object.fromEntries(url.searchParams));
    return query.success ? query.data.ws : undefined;
  };
  const read = async (req: Parameters<VerifyTwilioWebhook>[0], url: URL) => {
    const { params, ws } = await deps.verify(req, ofQuery);
    const query = inboundQuery.parse(Object.fromEntries(url.searchParams));
    return { params, ws, call: query.call };
  };

  router.add("POST", "/twilio/voice/inbound", async ({ req, res, url }) => {
    const { params, ws } = await read(req, url);
    const body = incoming.safeParse(params);
    if (!body.success) return sendTwiml(res, sayAndHangUpTwiml("Sorry, this call cannot be taken. Goodbye."));
    sendTwiml(
      res,
      await deps.inbound.answer(ws, { callSid: body.data.CallSid, from: body.data.From, to: body.data.To }),
    );
  });

  router.add("POST", "/twilio/voice/inbound/whisper", async ({ req, res, url }) => {
    const { ws, call } = await read(req, url);
    sendTwiml(res, call === undefined ? sayAndHangUpTwiml() : await deps.inbound.whisper(ws, call));
  });

  router.add("POST", "/twilio/voice/inbound/accept", async ({ req, res, url }) => {
    const { ws, call, params } = await read(req, url);
    sendTwiml(
      res,
      call === undefined ? sayAndHangUpTwiml() : await deps.inbound.accept(ws, call, String(params.Digits ?? "")),
    );
  });

  router.add("POST", "/twilio/voice/inbound/dial-done", async ({ req, res, url }) => {
    const { ws, call, params } = await read(req, url);
    const body = dialDone.safeParse(params);
    if (call === undefined || !body.success) return sendTwiml(res, sayAndHangUpTwiml());
    sendTwiml(
      res,
      await deps.inbound.dialDone(ws, call, {
        dialStatus: body.data.DialCallStatus,
        durationSec: body.data.DialCallDuration,
      }),
    );
  });

  router.add("POST", "/twilio/voice/inbound/voicemail-done", async ({ req, res, url }) => {
    await read(req, url);
    sendTwiml(res, sayAndHangUpTwiml());
  });

  router.add("POST", "/twilio/voice/inbound/recording", async ({ req, res, url }) => {
    const { ws, call, params } = await read(req, url);
    const body = recording.safeParse(params);
    if (call !== undefined && body.success && body.data.RecordingStatus === "completed") {
      const input = {
        recordingSid: body.data.RecordingSid,
        durationSec: Math.max(0, body.data.RecordingDuration ?? 0),
      };
      deps.tasks.run(() => deps.inbound.recorded(ws, call, input));
    }
    sendText(res, 204, "");
  });

  router.add("POST", "/twilio/voice/inbound/transcript", async ({ req, res, url }) => {
    const { ws, call, params } = await read(req, url);
    const body = transcript.safeParse(params);
    if (call !== undefined && body.success && body.data.TranscriptionStatus === "completed") {
      const text = body.data.TranscriptionText;
      deps.tasks.run(() => deps.inbound.transcribed(ws, call, text));
    }
    sendText(res, 204, "");
  });
}
