import { DEFAULT_CALL_MESSAGE, DEFAULT_MENU_MESSAGE, type TwilioSettings } from "../setup/settings.js";
import type { TwilioClient } from "../twilio/client.js";
import { bridgeCallTwiml, fillMessage, liveAgentPromptTwiml, liveCallTwiml, simpleCallTwiml } from "../twilio/twiml.js";
import type { CallMode } from "./modes.js";

export type CallCreateParams = Parameters<TwilioClient["calls"]["create"]>[0];

export interface CallRequestInput {
  mode: Exclude<CallMode, "browser">;
  /** The call row's id: Twilio's callbacks for this call name it in their (signed) URL. */
  callId: number;
  /** The workspace: also in every callback URL, so a callback is verified without the SID being stored yet. */
  workspaceId: number;
  leadName: string;
  /** The lead's number (E.164) and the team's number the call shows. */
  to: string;
  from: string;
  /** The phone that rings first (live call) or that the lead is put through to (voice bridge). */
  agentPhone?: string;
  settings: Pick<TwilioSettings, "recording" | "callMessage" | "menuMessage">;
  /** PUBLIC_BASE_URL: without it Twilio cannot call back (the call is polled and has no key menu). */
  publicBaseUrl?: string;
}

/** The query every callback URL of a call carries: the call and its workspace. */
const callQuery = (input: Pick<CallRequestInput, "callId" | "workspaceId">) =>
  `call=${input.callId}&ws=${input.workspaceId}`;

/** What the agent hears once they pressed a key: the lead dialled, its leg reporting back (live calls). */
export function liveConnectTwiml(input: {
  callId: number;
  workspaceId: number;
  leadName: string;
  to: string;
  from: string;
  recording: boolean;
  publicBaseUrl: string;
}): string {
  const base = input.publicBaseUrl;
  const query = callQuery(input);
  return liveCallTwiml({
    leadName: input.leadName,
    leadPhone: input.to,
    callerId: input.from,
    callbacks: {
      dialAction: `${base}/twilio/voice/dial-done?${query}`,
      leadStatus: `${base}/twilio/status/lead?${query}`,
      disclosure: input.recording ? `${base}/twilio/voice/disclosure?${query}` : undefined,
      recording: input.recording ? `${base}/twilio/recording?${query}` : undefined,
    },
  });
}

/**
 * The Calls create request for a call, as a pure function of the call and the team's settings: what
 * Twilio dials first, the TwiML it plays, and where it reports back. Live calls ring the agent and
 * dial the lead once the agent takes the call; message calls and voice bridges ring the lead.
 */
export function buildCallRequest(input: CallRequestInput): CallCreateParams {
  const base = input.publicBaseUrl;
  const recording = input.settings.recording === "on";
  const query = callQuery(input);
  const statusCallbacks = base
    ? {
        statusCallback: `${base}/twilio/status?${query}`,
        statusCallbackEvent: ["initiated", "ringing", "answered", "completed"],
        statusCallbackMethod: "POST",
      }
    : {};
  if (input.mode === "live") {
    // With a public URL the agent presses a key first (a voicemail never does); without one Twilio
    // cannot tell Leadline about the key, so the lead is dialled once the agent's phone answers.
    return {
      to: input.agentPhone!,
      from: input.from,
      twiml: base
        ? liveAgentPromptTwiml({ leadName: input.leadName, acceptUrl: `${base}/twilio/voice/live-accept?${query}` })
        : liveCallTwiml({ leadName: input.leadName, leadPhone: input.to, callerId: input.from }),
      ...statusCallbacks,
    };
  }
  const message = fillMessage(input.settings.callMessage ?? DEFAULT_CALL_MESSAGE, { name: input.leadName });
  const script = {
    disclosure: recording,
    // The 1/9 menu needs an address Twilio can post the key press to.
    menu:
      base && input.mode === "message"
        ? { prompt: input.settings.menuMessage ?? DEFAULT_MENU_MESSAGE, action: `${base}/twilio/voice/menu?${query}` }
        : undefined,
  };
  return {
    to: input.to,
    from: input.from,
    twiml:
      input.mode === "bridge" && input.agentPhone
        ? bridgeCallTwiml(message, input.agentPhone, input.from, script)
        : simpleCallTwiml(message, script),
    ...(base
      ? {
          ...statusCallbacks,
          machineDetection: "DetectMessageEnd",
          asyncAmd: "true",
          asyncAmdStatusCallback: `${base}/twilio/amd?${query}`,
          asyncAmdStatusCallbackMethod: "POST",
          ...(recording
            ? {
                record: true,
                // The lead (the call Twilio placed, the parent) on the first channel, the other side on the
                // second: Voice Intelligence labels speakers by channel.
                recordingChannels: "dual",
                recordingStatusCallback: `${base}/twilio/recording?${query}`,
                recordingStatusCallbackEvent: ["completed"],
                recordingStatusCallbackMethod: "POST",
              }
            : {}),
        }
      : {}),
  };
}
