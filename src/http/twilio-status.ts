import { z } from "zod";
import type { Deps } from "../deps.js";
import { dialDoneTwiml, disclosureTwiml, rejectTwiml } from "../services/twilio/twiml.js";
import { HttpError, type Router, sendJson, sendText } from "./router.js";
import { sendTwiml, verifiedTwilioWebhook, workspaceOfCall } from "./twilio-webhooks.js";

const callSid = z.string().regex(/^CA[0-9a-f]{32}$/i);
const count = z
  .string()
  .regex(/^\d{1,9}$/)
  .transform(Number);

/** Twilio's status callback parameters Leadline reads (ignoring the rest), as Twilio documents them. */
const statusCallback = z.object({
  CallSid: callSid,
  CallStatus: z.enum([
    "queued",
    "initiated",
    "ringing",
    "in-progress",
    "completed",
    "busy",
    "no-answer",
    "failed",
    "canceled",
  ]),
  SequenceNumber: count.optional(),
  Timestamp: z.string().max(100).optional(),
  CallDuration: count.optional(),
  AnsweredBy: z.string().max(40).optional(),
  SipResponseCode: z.string().max(10).optional(),
});

const amdCallback = z.object({ CallSid: callSid, AnsweredBy: z.string().min(1).max(40) });
const menuCallback = z.object({ CallSid: callSid, Digits: z.string().max(20).default("") });
const menuQuery = z.object({ call: count });
const recordingCallback = z.object({
  CallSid: callSid,
  RecordingSid: z.string().regex(/^RE[0-9a-f]{32}$/i),
  RecordingStatus: z.string().max(20),
});

/** A live call's lead leg: `<Number statusCallback>` posts the child leg's SID and its parent's. */
const leadLegCallback = statusCallback.extend({ ParentCallSid: callSid });
/** A live call's `<Dial action>`: the parent (agent) call and how the Dial ended. */
const dialDoneCallback = z.object({
  CallSid: callSid,
  DialCallSid: callSid.optional(),
  DialCallStatus: z.enum(["completed", "answered", "busy", "no-answer", "failed", "canceled"]),
  DialCallDuration: count.optional(),
});
const callQuery = z.object({ call: count });

function parsed<T extends z.ZodType>(schema: T, params: Record<string, string>): z.infer<T> {
  const result = schema.safeParse(params);
  if (!result.success) {
    throw new HttpError(400, "bad callback", {
      error: "invalid_callback",
      fields: result.error.issues.map((issue) => issue.path.join(".")),
    });
  }
  return result.data;
}

export function registerTwilioStatus(router: Router, deps: Deps): void {
  const ofCall = workspaceOfCall(deps);
  router.add("POST", "/twilio/status", async ({ req, res }) => {
    const params = parsed(statusCallback, (await verifiedTwilioWebhook(req, deps, ofCall)).params);
    await deps.status.applyStatus({
      callSid: params.CallSid,
      status: params.CallStatus,
      sequence: params.SequenceNumber,
      rawTimestamp: params.Timestamp,
      durationSec: params.CallDuration,
      answeredBy: params.AnsweredBy || undefined,
      sipCode: params.SipResponseCode,
      source: "callback",
    });
    sendText(res, 204, "");
  });

  router.add("POST", "/twilio/amd", async ({ req, res }) => {
    const params = parsed(amdCallback, (await verifiedTwilioWebhook(req, deps, ofCall)).params);
    await deps.voicemail.machineResult(params.CallSid, params.AnsweredBy);
    sendText(res, 204, "");
  });

  router.add("POST", "/twilio/voice/menu", async ({ req, res, url }) => {
    const raw = (await verifiedTwilioWebhook(req, deps, ofCall)).params;
    const query = menuQuery.safeParse(Object.fromEntries(url.searchParams));
    const params = menuCallback.safeParse(raw);
    // Twilio is mid-call here: whatever is wrong, the lead hears a polite goodbye, never an error.
    if (!query.success || !params.success) return sendTwiml(res, rejectTwiml("Thank you for your time. Goodbye."));
    sendTwiml(res, await deps.menu.menuKey(query.data.call, params.data.CallSid, params.data.Digits));
  });

  // A live call's callbacks name the call by id in the URL Twilio was given (signed with it); the
  // workspace is that call's, and the posted parent SID must be the call's own.
  const ofCallId: import("./twilio-webhooks.js").WorkspaceOfWebhook = async (_params, url) => {
    const query = callQuery.safeParse(Object.fromEntries(url.searchParams));
    return query.success ? (await deps.callStore.byId(query.data.call))?.workspaceId : undefined;
  };
  const liveCall = async (url: URL, parentSid: string) => {
    const call = await deps.callStore.byId(callQuery.parse(Object.fromEntries(url.searchParams)).call);
    if (call?.mode !== "live" || call.twilioSid !== parentSid)
      throw new HttpError(404, "not this call", { error: "unknown_call" });
    return call;
  };

  router.add("POST", "/twilio/status/lead", async ({ req, res, url }) => {
    const params = parsed(leadLegCallback, (await verifiedTwilioWebhook(req, deps, ofCallId)).params);
    const call = await liveCall(url, params.ParentCallSid);
    await deps.status.applyLeadLeg(call.id, params.CallSid, {
      status: params.CallStatus,
      sequence: params.SequenceNumber,
      rawTimestamp: params.Timestamp,
      durationSec: params.CallDuration,
      sipCode: params.SipResponseCode,
      source: "callback",
    });
    sendText(res, 204, "");
  });

  router.add("POST", "/twilio/voice/dial-done", async ({ req, res, url }) => {
    const raw = (await verifiedTwilioWebhook(req, deps, ofCallId)).params;
    const params = dialDoneCallback.safeParse(raw);
    // The agent is still on the line: whatever is wrong here, they hear a goodbye, never an error.
    if (!params.success) return sendTwiml(res, rejectTwiml("Goodbye."));
    const call = await liveCall(url, params.data.CallSid).catch(() => undefined);
    if (!call) return sendTwiml(res, rejectTwiml("Goodbye."));
    const status = params.data.DialCallStatus === "answered" ? "completed" : params.data.DialCallStatus;
    if (params.data.DialCallSid) {
      await deps.status.applyLeadLeg(call.id, params.data.DialCallSid, {
        status,
        durationSec: params.data.DialCallDuration,
        source: "callback",
      });
    }
    const lead = await deps.leads.get(call.workspaceId, call.leadId);
    sendTwiml(res, dialDoneTwiml(lead?.name ?? "The lead", status));
  });

  router.add("POST", "/twilio/voice/disclosure", async ({ req, res, url }) => {
    const params = parsed(
      z.object({ CallSid: callSid, ParentCallSid: callSid }),
      (await verifiedTwilioWebhook(req, deps, ofCallId)).params,
    );
    // Mid-call: a call Leadline does not know gets a polite end, never an error page.
    if (!(await liveCall(url, params.ParentCallSid).catch(() => undefined)))
      return sendTwiml(res, rejectTwiml("Goodbye."));
    sendTwiml(res, disclosureTwiml());
  });

  router.add("POST", "/twilio/recording", async ({ req, res }) => {
    const params = parsed(recordingCallback, (await verifiedTwilioWebhook(req, deps, ofCall)).params);
    if (params.RecordingStatus === "completed") {
      const callId = await deps.recordings.claim(params.CallSid, params.RecordingSid);
      if (callId !== undefined) deps.tasks.run(() => deps.recordings.deliver(callId));
    }
    sendText(res, 204, "");
  });

  router.add("GET", "/recordings/:id", async ({ res, params, url }) => {
    const id = count.safeParse(params.id);
    try {
      if (!id.success) throw new Error("bad recording id");
      const audio = await deps.recordings.download(
        id.data,
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
