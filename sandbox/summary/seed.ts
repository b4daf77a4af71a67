import type { Leadline } from "../../src/app.js";
import type { Logger } from "../../src/lib/log.js";
import { SERVICE_NAME } from "../../src/services/transcripts/summary-setup.js";
import type { TwilioSimulator } from "../twilio/simulator.js";
import { sidFrom } from "../twilio/simulator.js";

/**
 * The sandbox's Voice Intelligence Service: the same SID on every run (like the sandbox's account), so
 * the one stored in data/sandbox.db is always found. Made in the simulated Twilio at each start, as
 * Leadline would have made it (data logging off, redaction on).
 */
export const SANDBOX_INTELLIGENCE_SERVICE = sidFrom("GA", "leadline sandbox intelligence service");

export function addSandboxService(twilio: TwilioSimulator, accountSid: string): void {
  const now = new Date();
  twilio.intelligence.services.set(SANDBOX_INTELLIGENCE_SERVICE, {
    sid: SANDBOX_INTELLIGENCE_SERVICE,
    accountSid,
    uniqueName: SERVICE_NAME,
    friendlyName: "Leadline call transcripts",
    autoRedaction: true,
    mediaRedaction: false,
    autoTranscribe: false,
    dataLogging: false,
    languageCode: "en-US",
    webhookUrl: null,
    webhookHttpMethod: null,
    created: now,
    updated: now,
    version: 1,
  });
}

/**
 * On the first run only (no Service chosen yet), transcripts and summaries are turned on for the demo
 * workspace, as an admin would with `/twilio-setup summaries on`. An admin who turns them off keeps them off.
 */
export async function seedSummaries(leadline: Leadline, ws: number, log: Logger): Promise<void> {
  const setup = leadline.deps.summarySetup;
  if ((await setup.read(ws)).serviceSid) return;
  try {
    await setup.change(ws, { kind: "service", serviceSid: SANDBOX_INTELLIGENCE_SERVICE }, "sandbox");
    await setup.change(ws, { kind: "mode", mode: "on" }, "sandbox");
  } catch (error) {
    log.warn(
      { code: (error as { code?: unknown }).code },
      "could not turn transcripts on; use /twilio-setup summaries on",
    );
  }
}
