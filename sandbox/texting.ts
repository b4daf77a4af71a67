import { z } from "zod";
import type { Leadline } from "../src/app.js";
import { formatPhone, parsePhone } from "../src/lib/phone.js";
import type { TwilioSimulator } from "./twilio/simulator.js";

const leadText = z.object({
  from: z.string().min(1, "Type the lead's number.").max(40),
  body: z.string().min(1, "Type what the lead texts.").max(1600),
});

type Answer = { ok: true; [key: string]: unknown } | { ok: false; error: string };

export interface ReceivedText {
  sid: string;
  to: string;
  from: string;
  body: string;
  status: string;
  /** outbound-api: a text Leadline sent; outbound-reply: Twilio's own answer to STOP/START/HELP. */
  direction: string;
  at: string;
}

export interface TextingControl {
  /** The team's texting number and the texts people's phones received (newest last), for the console. */
  view(): { number: string; received: ReceivedText[] };
  /** POST /sandbox/texts: a person texts the team's number (a reply, STOP, HELP, START) through the simulated Twilio. */
  play(body: unknown): Promise<Answer>;
}

/**
 * The console's texting: a Messaging Service on the sandbox account (the team's number its sender, its
 * inbound URL Leadline's, its A2P campaign approved) picked in Leadline's settings at every start — the
 * simulator keeps no services across restarts — and a lead's phone that texts the team and shows what it got.
 */
export async function createTextingControl(deps: {
  twilio: TwilioSimulator;
  leadline: Leadline;
  ws: number;
  accountSid: string;
  teamNumber: string;
  appUrl: string;
  admin: string;
}): Promise<TextingControl> {
  const { twilio, leadline, ws, accountSid, teamNumber } = deps;
  const service = twilio.addMessagingService(accountSid, {
    friendlyName: "Sandbox texts",
    senders: [teamNumber],
    inboundRequestUrl: `${deps.appUrl}/twilio/sms/inbound?ws=${ws}`,
  });
  twilio.setCampaign(service.sid, "VERIFIED");
  const current = await leadline.deps.settings.get(ws);
  await leadline.deps.settings.save(
    ws,
    { messagingServiceSid: service.sid, ...(current.textTeamName ? {} : { textTeamName: "Sandbox Realty" }) },
    deps.admin,
  );
  return {
    view() {
      const received = [...twilio.messages.values()]
        .filter((m) => m.accountSid === accountSid && m.direction !== "inbound")
        .sort((a, b) => a.created.getTime() - b.created.getTime())
        .slice(-60)
        .map((m) => ({
          sid: m.sid,
          to: m.to,
          from: m.from ?? "",
          body: m.body,
          status: m.status,
          direction: m.direction,
          at: m.created.toISOString(),
        }));
      return { number: formatPhone(teamNumber), received };
    },
    async play(body) {
      const parsed = leadText.safeParse(body);
      if (!parsed.success) return { ok: false, error: parsed.error.issues.map((issue) => issue.message).join(" ") };
      const phone = parsePhone(parsed.data.from, "US");
      if (!phone.ok) return { ok: false, error: `"${parsed.data.from}" cannot text: ${phone.reason}.` };
      const message = await twilio.inboundText({ from: phone.e164, to: teamNumber, body: parsed.data.body });
      return { ok: true, sid: message.sid, from: phone.e164 };
    },
  };
}
