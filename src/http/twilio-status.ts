import type { Deps } from "../services/index.js";
import { HttpError, type Router, sendJson, sendText } from "./router.js";
import { sendTwiml, verifiedTwilioParams } from "./twilio-webhooks.js";

const num = (value: string | undefined) =>
  value !== undefined && value !== "" && Number.isFinite(Number(value)) ? Number(value) : undefined;

export function registerTwilioStatus(router: Router, deps: Deps): void {
  router.add("POST", "/twilio/status", async ({ req, res }) => {
    const params = await verifiedTwilioParams(req, deps);
    if (!params.CallSid || !params.CallStatus)
      throw new HttpError(400, "bad callback", { error: "missing CallSid or CallStatus" });
    await deps.lifecycle.applyStatus({
      callSid: params.CallSid,
      status: params.CallStatus,
      sequence: num(params.SequenceNumber),
      rawTimestamp: params.Timestamp,
      durationSec: num(params.CallDuration),
      answeredBy: params.AnsweredBy || undefined,
      sipCode: params.SipResponseCode,
      source: "callback",
    });
    sendText(res, 204, "");
  });

  router.add("POST", "/twilio/amd", async ({ req, res }) => {
    const params = await verifiedTwilioParams(req, deps);
    if (params.CallSid && params.AnsweredBy) await deps.lifecycle.machineResult(params.CallSid, params.AnsweredBy);
    sendText(res, 204, "");
  });

  router.add("POST", "/twilio/voice/menu", async ({ req, res, url }) => {
    const params = await verifiedTwilioParams(req, deps);
    sendTwiml(
      res,
      await deps.lifecycle.menuKey(Number(url.searchParams.get("call")), params.CallSid ?? "", params.Digits ?? ""),
    );
  });

  router.add("POST", "/twilio/recording", async ({ req, res }) => {
    const params = await verifiedTwilioParams(req, deps);
    if (
      params.RecordingStatus === "completed" &&
      params.CallSid &&
      /^RE[0-9a-f]{32}$/i.test(params.RecordingSid ?? "")
    ) {
      const callId = await deps.recordings.claim(params.CallSid, params.RecordingSid!);
      if (callId !== undefined) deps.tasks.run(() => deps.recordings.deliver(callId));
    }
    sendText(res, 204, "");
  });

  router.add("GET", "/recordings/:id", async ({ res, params, url }) => {
    try {
      const audio = await deps.recordings.download(
        Number(params.id),
        url.searchParams.get("exp") ?? "",
        url.searchParams.get("sig") ?? "",
      );
      res.writeHead(200, {
        "content-type": "audio/mpeg",
        "content-length": audio.length,
        "cache-control": "private, no-store",
      });
      res.end(audio);
    } catch (error) {
      deps.log.info({ err: error }, "refused a recording link");
      sendJson(res, 403, { error: "forbidden", message: "This recording link is not valid or has expired." });
    }
  });
}
