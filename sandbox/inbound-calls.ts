import { z } from "zod";
import type { Leadline } from "../src/app.js";
import { formatPhone, parsePhone } from "../src/lib/phone.js";
import { InboundRefused, type TwilioSimulator } from "./twilio/simulator.js";

/** What the console offers for the phone a callback rings. */
export const AGENT_CHOICES = {
  answers: "Agent answers",
  "no-answer": "Nobody answers → voicemail",
} as const;

const callback = z
  .object({
    /** A lead calls back from their number (the "Lead calls back" control on a call's line). */
    leadId: z.coerce.number().int().positive().optional(),
    /** Anyone calls from a typed number (the console's number box). */
    from: z.string().max(40).optional(),
    agent: z.enum(["answers", "no-answer"], { message: "Choose whether the agent answers." }),
  })
  .refine((body) => (body.leadId === undefined) !== (body.from === undefined), "Give a lead or a number, not both.");

type Answer = { ok: true; [key: string]: unknown } | { ok: false; error: string };

export interface InboundControl {
  /** The team's number and whether Twilio sends calls to it to Leadline, for the console's panel. */
  view(): { number: string; e164: string; connected: boolean; voiceUrl: string | null; choices: typeof AGENT_CHOICES };
  /** POST /sandbox/inbound: a lead (or a typed number) calls the team's number through the simulated Twilio. */
  play(body: unknown): Promise<Answer>;
}

/**
 * The console's inbound calls: someone dials the team's number, and the simulated Twilio plays it
 * as Twilio would, from the number's Voice URL (which `/twilio-setup inbound` sets; the sandbox sets
 * it at start through the same path).
 */
export function createInboundControl(deps: {
  twilio: TwilioSimulator;
  leadline: Leadline;
  ws: number;
  accountSid: string;
  teamNumber: string;
}): InboundControl {
  const { twilio, leadline, ws, accountSid, teamNumber } = deps;
  const voiceUrl = () => twilio.accounts.get(accountSid)?.voiceUrls?.get(teamNumber) || null;
  return {
    view() {
      const current = voiceUrl();
      return {
        number: formatPhone(teamNumber),
        e164: teamNumber,
        connected: current !== null && current === leadline.deps.inbound.voiceUrl(ws),
        voiceUrl: current,
        choices: AGENT_CHOICES,
      };
    },

    async play(body) {
      const parsed = callback.safeParse(body);
      if (!parsed.success) return { ok: false, error: parsed.error.issues.map((issue) => issue.message).join(" ") };
      const { leadId, agent } = parsed.data;
      let from: string;
      let says: string;
      if (leadId !== undefined) {
        const lead = await leadline.deps.leads.get(ws, leadId);
        if (!lead?.phone) return { ok: false, error: `Lead #${leadId} has no phone number to call from.` };
        from = lead.phone;
        says = `Hi, this is ${lead.name.trim() || "a lead of yours"} returning your call about the house. Please call me back this afternoon.`;
      } else {
        const phone = parsePhone(parsed.data.from, "US");
        if (!phone.ok) return { ok: false, error: `"${parsed.data.from}" cannot call: ${phone.reason}.` };
        from = phone.e164;
        says = "Hi, I saw your sign on Maple Street and would like to know more about the house. Please call me back.";
      }
      try {
        const call = twilio.inbound({ accountSid, from, to: teamNumber, agent, says });
        return { ok: true, callSid: call.sid, from, to: teamNumber, agent };
      } catch (error) {
        if (error instanceof InboundRefused && error.reason === "no-voice-url") {
          return {
            ok: false,
            error: `The team's number ${formatPhone(teamNumber)} has no Voice URL, so Twilio has nowhere to send the call. Run \`/twilio-setup inbound\` as Maria (an admin) to point it at Leadline, then try again.`,
          };
        }
        if (error instanceof InboundRefused) return { ok: false, error: error.message };
        throw error;
      }
    },
  };
}
