import { z } from "zod";
import type { Logger } from "../lib/log.js";
import type { TaskTracker } from "../lib/tasks.js";
import type { CallLookup } from "../services/calls/call-lookup.js";
import type { CallStatus } from "../services/calls/call-status.js";
import type { KeyMenu } from "../services/calls/key-menu.js";
import type { LiveAccept } from "../services/calls/live-accept.js";
import type { RecordingService } from "../services/calls/recordings.js";
import type { Voicemail } from "../services/calls/voicemail.js";
import { dialDoneTwiml, disclosureTwiml, sayAndHangUpTwiml } from "../services/twilio/twiml.js";
import { HttpError, type Router, sendJson, sendText } from "./router.js";
import { sendTwiml, type VerifyTwilioWebhook, type WorkspaceOfWebhook } from "./twilio-webhooks.js";

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
  // With a failed call: Twilio's error code and its words (https://www.twilio.com/docs/errors/<code>).
  ErrorCode: z
    .string()
    .regex(/^\d{1,6}$/)
    .optional(),
  ErrorMessage: z.string().max(500).optional(),
});

/** Twilio's error with a failed status, when its callback named one (ErrorCode 0 names none). */
const twilioErrorOf = (params: { ErrorCode?: string; ErrorMessage?: string }) =>
  params.ErrorCode && Number(params.ErrorCode) > 0
    ? { code: Number(params.ErrorCode), ...(params.ErrorMessage ? { message: params.ErrorMessage } : {}) }
    : undefined;

const amdCallback = z.object({ CallSid: callSid, AnsweredBy: z.string().min(1).max(40) });
const menuCallback = z.object({ CallSid: callSid, Digits: z.string().max(20).default("") });
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
/** Every callback URL Leadline gives Twilio for an outbound call names the call and its workspace. */
const callQuery = z.object({ call: count, ws: count.optional() });

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

export interface TwilioStatusDeps {
  verify: VerifyTwilioWebhook;
  lookup: CallLookup;
  status: CallStatus;
  voicemail: Pick<Voicemail, "machineResult">;
  menu: KeyMenu;
  liveAccept: LiveAccept;
  recordings: Pick<RecordingService, "claim" | "deliver" | "download">;
  tasks: Pick<TaskTracker, "run">;
  log: Logger;
}

/**
 * Status, AMD, menu and recording callbacks of outbound calls. Their URLs name the call and its
 * workspace (signed with them), so a callback is verified with the workspace's Auth Token even when it
 * arrives before Twilio's answer to the create was stored (Twilio sends `initiated` that early); a
 * callback whose call is another workspace's is refused.
 */
export function registerTwilioStatus(router: Router, deps: TwilioStatusDeps): void {
  const queryOf = (url: URL) => callQuery.safeParse(Object.fromEntries(url.searchParams));
  const ofCallback: WorkspaceOfWebhook = async (params, url) => {
    const query = queryOf(url);
    if (query.success && query.data.ws !== undefined) return query.data.ws;
    return params.CallSid ? await deps.lookup.workspaceOfSid(params.CallSid) : undefined;
  };
  /**
   * The SID's call must be the workspace's. A callback that arrives before Twilio's answer to the create
   * was stored (Twilio sends `initiated`, and a quick failure's final status, that early) names its call
   * in the signed URL: the call takes the SID then, so nothing it says is lost.
   */
  const ownedBy = async (ws: number, sid: string, url: URL): Promise<void> => {
    const owner = await deps.lookup.workspaceOfSid(sid);
    if (owner === ws) return;
    if (owner !== undefined) throw new HttpError(403, "forbidden", { error: "invalid_signature" });
    const query = queryOf(url);
    if (!query.success || (await deps.lookup.workspaceOfCall(query.data.call)) !== ws)
      throw new HttpError(404, "unknown call", { error: "unknown_call" });
    if (!(await deps.lookup.adoptSid(query.data.call, sid)))
      throw new HttpError(404, "not this call", { error: "unknown_call" });
    deps.log.debug(
      { callId: query.data.call },
      "a callback came before Twilio's answer was stored; the call took its SID",
    );
  };

  router.add("POST", "/twilio/status", async ({ req, res, url }) => {
    const { params: raw, ws } = await deps.verify(req, ofCallback);
    const params = parsed(statusCallback, raw);
    await ownedBy(ws, params.CallSid, url);
    await deps.status.applyStatus({
      callSid: params.CallSid,
      status: params.CallStatus,
      sequence: params.SequenceNumber,
      rawTimestamp: params.Timestamp,
      durationSec: params.CallDuration,
      answeredBy: params.AnsweredBy || undefined,
      sipCode: params.SipResponseCode,
      twilioError: twilioErrorOf(params),
      source: "callback",
    });
    sendText(res, 204, "");
  });

  router.add("POST", "/twilio/amd", async ({ req, res, url }) => {
    const { params: raw, ws } = await deps.verify(req, ofCallback);
    const params = parsed(amdCallback, raw);
    await ownedBy(ws, params.CallSid, url);
    await deps.voicemail.machineResult(params.CallSid, params.AnsweredBy);
    sendText(res, 204, "");
  });

  router.add("POST", "/twilio/voice/menu", async ({ req, res, url }) => {
    const raw = (await deps.verify(req, ofCallback)).params;
    const query = queryOf(url);
    const params = menuCallback.safeParse(raw);
    // Twilio is mid-call here: whatever is wrong, the lead hears a polite goodbye, never an error.
    if (!query.success || !params.success)
      return sendTwiml(res, sayAndHangUpTwiml("Thank you for your time. Goodbye."));
    sendTwiml(res, await deps.menu.menuKey(query.data.call, params.data.CallSid, params.data.Digits));
  });

  // A live call's callbacks name the call by id in the URL Twilio was given (signed with it); the
  // workspace is that call's, and the posted parent SID must be the call's own.
  const ofCallId: WorkspaceOfWebhook = async (_params, url) => {
    const query = queryOf(url);
    return query.success ? deps.lookup.workspaceOfCall(query.data.call) : undefined;
  };
  const liveCall = async (url: URL, parentSid: string) => {
    const query = queryOf(url);
    const call = query.success ? await deps.lookup.liveCall(query.data.call, parentSid) : undefined;
    if (!call) throw new HttpError(404, "not this call", { error: "unknown_call" });
    return call;
  };

  router.add("POST", "/twilio/status/lead", async ({ req, res, url }) => {
    const params = parsed(leadLegCallback, (await deps.verify(req, ofCallId)).params);
    const call = await liveCall(url, params.ParentCallSid);
    await deps.status.applyLeadLeg(call.id, params.CallSid, {
      status: params.CallStatus,
      sequence: params.SequenceNumber,
      rawTimestamp: params.Timestamp,
      durationSec: params.CallDuration,
      sipCode: params.SipResponseCode,
      twilioError: twilioErrorOf(params),
      source: "callback",
    });
    sendText(res, 204, "");
  });

  router.add("POST", "/twilio/voice/dial-done", async ({ req, res, url }) => {
    const raw = (await deps.verify(req, ofCallId)).params;
    const params = dialDoneCallback.safeParse(raw);
    // The agent is still on the line: whatever is wrong here, they hear a goodbye, never an error.
    if (!params.success) return sendTwiml(res, sayAndHangUpTwiml("Goodbye."));
    const call = await liveCall(url, params.data.CallSid).catch(() => undefined);
    if (!call) return sendTwiml(res, sayAndHangUpTwiml("Goodbye."));
    const status = params.data.DialCallStatus === "answered" ? "completed" : params.data.DialCallStatus;
    if (params.data.DialCallSid) {
      await deps.status.applyLeadLeg(call.id, params.data.DialCallSid, {
        status,
        durationSec: params.data.DialCallDuration,
        source: "callback",
      });
    }
    sendTwiml(res, dialDoneTwiml((await deps.lookup.leadName(call)) ?? "The lead", status));
  });

  // A live call's agent answered the prompt: a key connects (the lead is dialled), none hangs up.
  router.add("POST", "/twilio/voice/live-accept", async ({ req, res, url }) => {
    const raw = (await deps.verify(req, ofCallId)).params;
    const params = z.object({ CallSid: callSid, Digits: z.string().max(20).optional() }).safeParse(raw);
    const query = queryOf(url);
    // The agent is on the line: whatever is wrong here, they hear a goodbye, never an error.
    if (!params.success || !query.success) return sendTwiml(res, sayAndHangUpTwiml("Goodbye."));
    sendTwiml(res, await deps.liveAccept(query.data.call, params.data.CallSid, params.data.Digits || undefined));
  });

  router.add("POST", "/twilio/voice/disclosure", async ({ req, res, url }) => {
    const params = parsed(
      z.object({ CallSid: callSid, ParentCallSid: callSid }),
      (await deps.verify(req, ofCallId)).params,
    );
    // Mid-call: a call Leadline does not know gets a polite end, never an error page.
    if (!(await liveCall(url, params.ParentCallSid).catch(() => undefined)))
      return sendTwiml(res, sayAndHangUpTwiml("Goodbye."));
    sendTwiml(res, disclosureTwiml());
  });

  router.add("POST", "/twilio/recording", async ({ req, res, url }) => {
    const { params: raw, ws } = await deps.verify(req, ofCallback);
    const params = parsed(recordingCallback, raw);
    await ownedBy(ws, params.CallSid, url);
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
