import type { Call } from "@prisma/client";
import type { TwilioClient } from "../twilio/client.js";
import type { CallStatus, StatusUpdate } from "./call-status.js";
import { isFinal } from "./modes.js";

/**
 * Asks Twilio where a call is and applies what it says, as a callback would have: for a live call the
 * lead's leg (the agent leg's child) first, so the lead's side is recorded before the agent's leg ends
 * the call, then the call Leadline placed. Returns whether anything moved and whether Twilio calls it final.
 */
export async function fetchCallState(
  client: TwilioClient,
  call: Pick<Call, "id" | "mode" | "twilioSid">,
  status: CallStatus,
  source: StatusUpdate["source"],
): Promise<{ moved: boolean; final: boolean }> {
  let moved = false;
  if (call.mode === "live") {
    const [leg] = await client.calls.list({ parentCallSid: call.twilioSid!, limit: 1 });
    if (leg) {
      const applied = await status.applyLeadLeg(call.id, leg.sid, {
        status: leg.status,
        durationSec: leg.duration ? Number(leg.duration) : undefined,
        source,
      });
      moved ||= applied.moved;
    }
  }
  const fetched = await client.calls(call.twilioSid!).fetch();
  const applied = await status.applyStatus({
    callSid: call.twilioSid!,
    status: fetched.status,
    durationSec: fetched.duration ? Number(fetched.duration) : undefined,
    answeredBy: fetched.answeredBy ?? undefined,
    source,
  });
  return { moved: moved || applied.moved, final: isFinal(fetched.status) };
}
