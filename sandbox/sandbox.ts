import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { createLeadline, type Leadline } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import type { Logger } from "../src/lib/log.js";
import { projectRoot } from "../src/lib/paths.js";
import { formatPhone } from "../src/lib/phone.js";
import { DEFAULT_CALL_MESSAGE, DEFAULT_MENU_MESSAGE } from "../src/services/setup/settings.js";
import { type CallingClock, createCallingClock, defaultClockSetting } from "./calling-clock.js";
import { escapedCommands, SANDBOX_CHANNEL, welcome } from "./console-start.js";
import { type SandboxFub, startSandboxFub } from "./fub/sandbox-fub.js";
import { createInboundControl, type InboundControl } from "./inbound-calls.js";
import { keepMessages } from "./slack/keep-messages.js";
import { type SlackSimulator, startSlackSimulator } from "./slack/simulator.js";
import type { Workspace } from "./slack/workspace.js";
import { addSandboxService, seedSummaries } from "./summary/seed.js";
import { type SummaryFake, startSummaryFake } from "./summary/simulator.js";
import { createTextingControl, type TextingControl } from "./texting.js";
import { SCENARIOS } from "./twilio/scenarios.js";
import { sidFrom, startTwilioSimulator, type TwilioSimulator } from "./twilio/simulator.js";

export { SANDBOX_CHANNEL };
export const SANDBOX_USERS = {
  admin: { id: "U0MARIA001", name: "maria", realName: "Maria Lopez", isAdmin: true },
  agent: { id: "U0SAM00001", name: "sam", realName: "Sam Chen", isAdmin: false },
} as const;

/** The simulated Twilio account, the same on every run so the settings seeded in data/sandbox.db keep working. */
export const SANDBOX_TWILIO = {
  accountSid: sidFrom("AC", "leadline sandbox account"),
  authToken: sidFrom("", "leadline sandbox auth token"),
  phoneNumber: "+12015550100",
  agentPhone: "+12015550199",
  apiKeySid: sidFrom("SK", "leadline sandbox api key"),
  apiKeySecret: sidFrom("", "leadline sandbox api key secret"),
  twimlAppSid: sidFrom("AP", "leadline sandbox twiml app"),
};

/** The words a demo lead agreed to on the (fictional) web form: message calls and voice bridges need them. */
export const DEMO_CONSENT_TEXT =
  "I agree that Leadline Realty may call me at this number, including with prerecorded or artificial-voice messages.";

interface DemoLead {
  name: string;
  phone: string;
  source: string;
  note?: string;
  state?: string;
  zip?: string;
  /** Consent to prerecorded calls: the lead's scenario is heard on a message call (voicemail, the 1/9 menu). */
  consent?: boolean;
}

/**
 * The demo leads: their numbers' last four digits pick what happens on a call (twilio/scenarios.ts).
 * Those whose scenario shows on a message call carry consent; Bob and Nora have none, so their cards
 * offer live calls only. A number that names no time zone (Twilio's 500 test numbers) has an address.
 */
export const DEMO_LEADS: readonly DemoLead[] = [
  {
    name: "Jane Doe",
    phone: "+12015550101",
    source: "Zillow",
    note: "Wants a 3-bed near Maple Elementary.",
    consent: true,
  },
  { name: "Bob Busy", phone: "+12015550102", source: "Open house" },
  { name: "Nora Noanswer", phone: "+12015550103", source: "Website form" },
  { name: "Victor Voicemail", phone: "+12015550104", source: "Referral", consent: true },
  { name: "Olga Optout", phone: "+12015550105", source: "Facebook ad", consent: true },
  { name: "Connie Connect", phone: "+12015550106", source: "Website form", consent: true },
  {
    name: "Ian Invalid",
    phone: "+15005550001",
    source: "Old spreadsheet",
    note: "Twilio's test number for error 21217.",
    // A 500 number could be in any US zone: the address says where calling hours are judged.
    state: "NJ",
    zip: "07030",
    consent: true,
  },
];

export interface SandboxOptions {
  log: Logger;
  /** The console's port (the one a person opens); 0 picks a free one. */
  port?: number;
  /** Where data/sandbox.db lives. */
  dataDir?: string;
  /** Speed of simulated calls (and of Slack's rate-limit clock): 1 is about real time; tests use less. */
  pace?: number;
  env?: NodeJS.ProcessEnv;
  /** Real time, for the calling clock's default (tests pin it). */
  realNow?: () => Date;
}

export interface Sandbox {
  consoleUrl: string;
  /** The console page's per-run token: its POSTs carry it in `x-sandbox-token`. */
  consoleToken: string;
  appUrl: string;
  leadline: Leadline;
  /** Leadline's workspace (tenant) id for the sandbox's Slack team. */
  ws: number;
  twilio: TwilioSimulator;
  slack: SlackSimulator;
  workspace: Workspace;
  /** The calling clock the console sets (GET/POST /sandbox/clock): the time calling hours are judged at. */
  clock: CallingClock;
  /** The fake chat-completions server that writes call summaries. */
  summary: SummaryFake;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolvePort(port));
    });
  });
}

/**
 * Everything on one machine: the real Leadline app, a simulated Twilio and the Slack console.
 * It refuses to run in production, and only this module (reached through `npm run sandbox`) starts it.
 */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const env = options.env ?? process.env;
  if (env.NODE_ENV === "production") {
    throw new Error("The sandbox never runs with NODE_ENV=production: it simulates Slack and Twilio. Use npm start.");
  }
  const log = options.log;
  const dataDir = resolve(options.dataDir ?? join(projectRoot(), "data"));
  // A new database starts the console's channel over too (the two are kept together).
  const fresh = !existsSync(join(dataDir, "sandbox.db"));
  const appPort = await freePort();
  const appUrl = `http://127.0.0.1:${appPort}`;
  const twilio = await startTwilioSimulator({ log, pace: options.pace });
  // The sandbox's agent is a person who takes the call: they press a key at Leadline's prompt.
  twilio.answerAs(SANDBOX_TWILIO.agentPhone, "presses-1");
  twilio.addAccount({
    sid: SANDBOX_TWILIO.accountSid,
    authToken: SANDBOX_TWILIO.authToken,
    numbers: new Set([SANDBOX_TWILIO.phoneNumber]),
    apiKeys: new Map([[SANDBOX_TWILIO.apiKeySid, SANDBOX_TWILIO.apiKeySecret]]),
    apps: new Map([
      [
        SANDBOX_TWILIO.twimlAppSid,
        { voiceUrl: `${appUrl}/twilio/voice/browser`, statusCallback: `${appUrl}/twilio/status` },
      ],
    ]),
  });

  // Calling hours are judged by the console's clock: a newcomer at midnight can still place calls.
  const realNow = options.realNow ?? (() => new Date());
  const start = defaultClockSetting(realNow(), DEMO_LEADS);
  const clock = createCallingClock({ initial: start.setting, note: start.note, real: realNow });
  // Transcripts: the account's Intelligence Service, transcripts ready in about 3 s (at pace 1), and
  // the fake summary model, which reads "Tuesday at 5" against the calling clock.
  const pace = options.pace ?? 1;
  addSandboxService(twilio, SANDBOX_TWILIO.accountSid);
  twilio.intelligence.readyAfterMs = Math.round(3_000 * pace);
  let summary: SummaryFake;
  try {
    summary = await startSummaryFake({ log, now: clock.now });
  } catch (error) {
    await twilio.close();
    throw error;
  }

  const fub: SandboxFub = await startSandboxFub(log, () => appUrl);
  // Each run has its own signing secret: only this console can sign requests into this app.
  const signingSecret = randomBytes(24).toString("hex");
  // Calls to the team's number, once Leadline runs.
  let inbound: InboundControl | undefined;
  let texting: TextingControl | undefined;
  let slack: SlackSimulator;
  try {
    slack = await startSlackSimulator({
      log,
      port: options.port ?? 3000,
      // Slack's own rate limits. Slack's clock keeps the simulated calls' pace: at 1 (npm run
      // sandbox) a team sees what it would in real Slack; tests that speed calls up speed Slack up too.
      rateLimits: { timeScale: 1 / (options.pace ?? 1) },
      console: {
        signingSecret,
        appUrl: () => appUrl,
        channel: SANDBOX_CHANNEL,
        escapedCommands: escapedCommands(),
        info: () => ({
          twilio: { ...SANDBOX_TWILIO, phoneNumber: formatPhone(SANDBOX_TWILIO.phoneNumber) },
          scenarios: Object.entries(SCENARIOS).map(([suffix, scenario]) => ({
            suffix,
            describe: scenario.describe,
            leads: DEMO_LEADS.filter((lead) => lead.phone.endsWith(suffix)).map((lead) => lead.name),
          })),
          demoLeads: DEMO_LEADS.map((lead) => ({
            name: lead.name,
            phone: formatPhone(lead.phone),
            consent: Boolean(lead.consent),
            address: [lead.state, lead.zip].filter(Boolean).join(" ") || undefined,
          })),
          events: twilio.events.slice(-40),
          clock: clock.view(),
          inbound: inbound?.view(),
          texts: texting?.view(),
          appUrl,
        }),
        routes: {
          "/sandbox/clock": {
            get: () => clock.view(),
            post: (body) => clock.set(body),
          },
          "/sandbox/inbound": {
            get: () => inbound?.view() ?? {},
            post: (body) => inbound?.play(body) ?? { ok: false, error: "Leadline is still starting." },
          },
          "/sandbox/texts": {
            get: () => texting?.view() ?? {},
            post: (body) => texting?.play(body) ?? { ok: false, error: "Leadline is still starting." },
          },
          "/sandbox/fub": {
            get: () => fub.view(),
            post: () => fub.connect(leadline, ws, SANDBOX_USERS.admin.id),
          },
        },
      },
    });
  } catch (error) {
    await Promise.all([twilio.close(), summary.close(), fub.sim.close()]);
    throw error;
  }
  const consoleUrl = slack.url;
  const { workspace } = slack;
  for (const user of Object.values(SANDBOX_USERS)) {
    workspace.users.set(user.id, { id: user.id, name: user.name, real_name: user.realName, is_admin: user.isAdmin });
  }
  workspace.channels.set(SANDBOX_CHANNEL, { id: SANDBOX_CHANNEL, name: "leads" });
  workspace.botChannels.add(SANDBOX_CHANNEL);
  twilio.onEvent(() => workspace.changed());
  const kept = keepMessages(workspace, join(dataDir, "sandbox-slack.json"), fresh);
  if (!kept.restored) welcome(workspace, start.note);
  // The sandbox's own encryption key, kept beside its database: made here, quietly, so the warning a
  // real install gets when it has no APP_ENCRYPTION_KEY does not greet someone trying the sandbox.
  const keyFile = join(dataDir, "encryption.key");
  if (!existsSync(keyFile)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(keyFile, `${randomBytes(32).toString("base64")}\n`, { mode: 0o600, flag: "wx" });
  }

  const config = loadConfig({
    NODE_ENV: "development",
    PORT: String(appPort),
    SLACK_BOT_TOKEN: "xoxb-sandbox-not-a-real-token",
    SLACK_SIGNING_SECRET: signingSecret,
    DATABASE_URL: `file:${join(dataDir, "sandbox.db")}`,
    PUBLIC_BASE_URL: appUrl,
    ADMIN_SLACK_USER_IDS: SANDBOX_USERS.admin.id,
    LEADS_CHANNEL_ID: SANDBOX_CHANNEL,
    LEADS_API_TOKEN: randomBytes(24).toString("hex"),
    LOG_LEVEL: env.LOG_LEVEL ?? "warn",
    SLACK_API_URL: `${consoleUrl}/api/`,
    TWILIO_API_URL: twilio.url,
    SUMMARY_API_URL: summary.baseURL,
    SUMMARY_API_KEY: summary.apiKey,
    SUMMARY_MODEL: "sandbox-summary",
    ...fub.env,
  });
  const deviceScript = readFileSync(new URL("./static/voice-device.js", import.meta.url), "utf8");
  let leadline: Leadline;
  let ws: number;
  try {
    leadline = await createLeadline(config, {
      log,
      // Leadline in production listens on every interface (behind a proxy); the sandbox's copy serves this machine only.
      host: "127.0.0.1",
      softphone: { sdkScript: deviceScript.replace("__SIMULATOR_URL__", twilio.url), connectSrc: twilio.url },
      // Only calling hours follow the console's clock; signatures, leases and stored times stay real.
      callingClock: clock.now,
      // Transcripts are asked about at the simulated calls' pace (every 15 s at pace 1).
      transcriptPollMs: Math.max(250, Math.round(15_000 * pace)),
      transcriptEvery: pace < 1 ? "* * * * * *" : undefined,
    });
    await leadline.start();
    ws = await seed(leadline);
    await connectInbound(leadline, ws, log);
    await seedSummaries(leadline, ws, log);
    inbound = createInboundControl({
      twilio,
      leadline,
      ws,
      accountSid: SANDBOX_TWILIO.accountSid,
      teamNumber: SANDBOX_TWILIO.phoneNumber,
    });
    texting = await createTextingControl({
      twilio,
      leadline,
      ws,
      accountSid: SANDBOX_TWILIO.accountSid,
      teamNumber: SANDBOX_TWILIO.phoneNumber,
      appUrl,
      admin: SANDBOX_USERS.admin.id,
    });
  } catch (error) {
    kept.stop();
    await Promise.all([slack.close(), twilio.close(), summary.close(), fub.sim.close()]);
    throw error;
  }

  return {
    consoleUrl,
    consoleToken: slack.consoleToken!,
    appUrl,
    leadline,
    ws,
    twilio,
    slack,
    workspace,
    clock,
    summary,
    async stop() {
      await leadline.stop();
      kept.stop();
      await Promise.all([slack.close(), twilio.close(), summary.close(), fub.sim.close()]);
    },
  };
}

/** Demo leads and the simulated Twilio account, only where the database has none of its own. */
async function seed(leadline: Leadline): Promise<number> {
  const { settings, leads, workspaces } = leadline.deps;
  const ws = (await workspaces.resolve({}))?.id;
  if (ws === undefined) throw new Error("the sandbox's Slack workspace did not answer");
  const current = await settings.get(ws);
  if (!current.accountSid) {
    const { accountSid, authToken, phoneNumber, agentPhone, apiKeySid, apiKeySecret, twimlAppSid } = SANDBOX_TWILIO;
    await settings.save(
      ws,
      {
        accountSid,
        authToken,
        phoneNumber,
        agentPhone,
        apiKeySid,
        apiKeySecret,
        twimlAppSid,
        // What the /twilio-setup modal fills in by default, so a first save there changes only what was typed.
        callMessage: DEFAULT_CALL_MESSAGE,
        menuMessage: DEFAULT_MENU_MESSAGE,
        recording: "off",
      },
      "sandbox",
    );
  }
  if ((await leads.recent(ws, 1)).length === 0) {
    for (const { consent: _consent, ...lead } of DEMO_LEADS) await leads.create(ws, { ...lead, author: "sandbox" });
  }
  await seedCompliance(leadline, ws);
  return ws;
}

/**
 * Points the team's number's Voice URL at this run's Leadline, through the app's own path (what
 * `/twilio-setup inbound` does), so a lead who calls back rings the agent's phone. The simulated
 * Twilio starts empty every run and Leadline's port changes, so this runs at every start. Skipped
 * when the stored settings name another account (someone connected their own in /twilio-setup).
 */
async function connectInbound(leadline: Leadline, ws: number, log: Logger): Promise<void> {
  const { accountSid, phoneNumber } = await leadline.deps.settings.get(ws);
  if (accountSid !== SANDBOX_TWILIO.accountSid || phoneNumber !== SANDBOX_TWILIO.phoneNumber) return;
  try {
    await leadline.deps.inboundNumber.connect(ws, "sandbox");
  } catch (error) {
    log.warn({ err: error }, "could not point the team's number at Leadline; run /twilio-setup inbound");
  }
}

/**
 * The demo leads' addresses and consent records, also for a data/sandbox.db seeded before calling law:
 * an address only where the lead has none, consent only for a lead with no consent record at all (one
 * revoked by a key-press 9 stays revoked) whose number is not on the do-not-call list.
 */
async function seedCompliance(leadline: Leadline, ws: number): Promise<void> {
  const { leads, consents, dnc } = leadline.deps;
  for (const demo of DEMO_LEADS) {
    const lead = await leads.findByPhone(ws, demo.phone);
    if (!lead || lead.name !== demo.name) continue;
    if ((demo.state || demo.zip) && !lead.state && !lead.zip) {
      await leads.setAddress(ws, lead.id, { state: demo.state, zip: demo.zip }, "sandbox");
    }
    if (!demo.consent || (await consents.list(ws, lead.id)).length > 0) continue;
    if ((await dnc.check(ws, demo.phone)).entry) continue;
    await consents.record(ws, lead, { scope: "prerecorded", method: "web form", text: DEMO_CONSENT_TEXT }, "sandbox");
  }
}
