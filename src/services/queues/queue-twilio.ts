/** Where Twilio reaches Leadline about a queue run, and the request that adds a lead to the run's conference. */
export function queueAgentUrls(base: string | undefined, ws: number, runId: number) {
  const root = base ?? "";
  const query = `run=${runId}&ws=${ws}`;
  return {
    answer: `${root}/twilio/voice/queue/agent?${query}`,
    join: `${root}/twilio/voice/queue/join?${query}`,
    status: `${root}/twilio/queue/agent-status?${query}`,
    conference: `${root}/twilio/queue/conference?${query}`,
    supervisor: `${root}/twilio/queue/supervisor-status?${query}`,
  };
}

/**
 * The Participants create for one lead: the call's caller ID (the pool's pick, as for every call), the
 * lead's leg reporting to the call's own status URL (as every call Leadline places), and never ending
 * the conference when the lead hangs up (the agent stays for the next lead).
 */
export function queueParticipantRequest(
  base: string | undefined,
  input: { ws: number; callId: number; from: string; to: string },
) {
  return {
    from: input.from,
    to: input.to,
    label: `lead-${input.callId}`,
    beep: "false",
    earlyMedia: false,
    endConferenceOnExit: false,
    timeout: 30,
    ...(base
      ? {
          statusCallback: `${base}/twilio/status?call=${input.callId}&ws=${input.ws}`,
          statusCallbackMethod: "POST",
          statusCallbackEvent: ["initiated", "ringing", "answered", "completed"],
        }
      : {}),
  };
}
