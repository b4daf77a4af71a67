import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ids } from "../../src/lib/ids.js";
import { CALLING_TIME, dropSharedDatabase, eventually, TEAM_ID } from "../helpers/app.js";
import { type FakeSlack, startFakeSlack } from "../helpers/fake-slack.js";
import { type FakeAccount, type FakeTwilio, startFakeTwilio } from "../helpers/fake-twilio.js";
import { buttonClick, menuPick } from "../helpers/payloads.js";
import {
  CHILD_SIGNING_SECRET,
  type ChildApp,
  childDate,
  childSql,
  seedDatabase,
  signSlack,
  startChildApp,
} from "../security/child-app.js";

// kill -9 of Leadline in the middle of a queue run, then a new instance on the same database and the same
// public URL (a restart behind the same load balancer). The real app runs in its own process
// (test/helpers/child-app.ts); the simulated Twilio plays the run's calls and sends its webhooks to the
// public URL. The call sweep runs every 250 ms and asks Twilio about a live call quiet for 1 s (in
// production: every minute, after 3 min), so what the new instance learns from Twilio shows quickly.
//
// 1. The lead's leg is live (in-progress) when the app dies: the new instance asks Twilio about it and
//    keeps the lead from everyone while it lives; the lead hangs up with the callback lost, and the sweep
//    learns it from Twilio; the agent (still on the run's line) records the outcome; the lead comes back
//    only after the re-call gap; the lead was dialled once.
// 2. The app dies after Twilio took the participant create and before its answer arrived: the new
//    instance adopts the participant Twilio has (its call SID) and never dials the lead again, even when
//    the agent presses Call again on the card.

const ADMIN = "U0ADMIN01";
const AGENT = "U0MARIA01";
const OTHER = "U0BRUNO01";
const dmOf = (user: string) => `D${user.slice(1)}`;
const FROM = "+15005550006";
const AGENT_PHONE = "+13055550150";
const XENA = { name: "Xena Live", phone: "+12125550111" };
const YURI = { name: "Yuri Next", phone: "+12125550112" };
/** The agents' phone: answers, presses 1, and stays on the run's line until hung up. */
const STAYS = { outcome: "human", presses: "1", talkSec: 86_400, describe: "the agent presses 1 and stays" } as const;
/** A lead who answers and talks until the test hangs the call up. */
const TALKS = { outcome: "human", talkSec: 86_400, describe: "the lead answers and talks" } as const;
/** Waits for the app on a loaded machine (two cores, other suites): for a fault, not a speed check. */
const STEP = 30_000;
/** Waits that include a child's start or a sweep's period. */
const LONG = 60_000;

interface World {
  slack: FakeSlack;
  twilio: FakeTwilio;
  account: FakeAccount;
  dir: string;
  key: string;
  port: number;
  children: ChildApp[];
  /** Cards of runs before the one a test looks at (a new run posts a new card). */
  earlier: Set<string>;
}

let world: World | undefined;

afterEach(async () => {
  if (!world) return;
  for (const child of world.children) await child.stop();
  await world.slack.close();
  await world.twilio.close();
  rmSync(world.dir, { recursive: true, force: true });
  await dropSharedDatabase(world.dir);
  world = undefined;
});

/** Waits on an event (polling); a timeout shows both agents' cards and the newest instance's last words. */
async function until<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 5_000,
): Promise<T> {
  return eventually(check, what, timeoutMs).catch((error: Error) => {
    const w = world;
    const words = (user: string) => {
      try {
        return w ? card(w, user)?.words : undefined;
      } catch (problem) {
        return String(problem);
      }
    };
    const tail = w?.children.at(-1)?.output().slice(-3000);
    throw new Error(
      `${error.message}\n--- Maria's card ---\n${words(AGENT)}\n--- Bruno's card ---\n${words(OTHER)}\n--- the newest instance ---\n${tail}`,
    );
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function setUp(): Promise<World> {
  const slack = await startFakeSlack();
  const twilio = await startFakeTwilio({ play: { pace: 0.01 } });
  const account = twilio.addAccount({ numbers: [FROM] });
  twilio.sim.answerAs(AGENT_PHONE, STAYS);
  twilio.sim.answerAs(XENA.phone, TALKS);
  twilio.sim.answerAs(YURI.phone, TALKS);
  const dir = mkdtempSync(join(tmpdir(), "leadline-queue-crash-"));
  const key = randomBytes(32).toString("base64");
  await seedDatabase({ dir, key, slack, twilio }, async (t) => {
    await t.app.deps.settings.save(
      t.ws,
      { accountSid: account.sid, authToken: account.token, phoneNumber: FROM, agentPhone: AGENT_PHONE },
      ADMIN,
    );
    for (const lead of [XENA, YURI]) await t.app.deps.leads.create(t.ws, { ...lead, source: "zillow", author: "seed" });
  });
  world = { slack, twilio, account, dir, key, port: await freePort(), children: [], earlier: new Set() };
  return world;
}

/** Leadline on the world's port and public URL (every instance answers at the same address). */
async function startLeadline(w: World): Promise<ChildApp> {
  const publicUrl = `http://127.0.0.1:${w.port}`;
  const child = await startChildApp({
    slack: w.slack,
    twilioUrl: w.twilio.url,
    dir: w.dir,
    key: w.key,
    callingTime: CALLING_TIME,
    env: {
      PORT: String(w.port),
      PUBLIC_BASE_URL: publicUrl,
      ADMIN_SLACK_USER_IDS: ADMIN,
      LEADLINE_TEST_OPTIONS: JSON.stringify({
        callingTime: CALLING_TIME.toISOString(),
        sweepIntervalMs: 250,
        sweepQuietMs: 1_000,
        sweepUnsettledMs: 2_000,
        pollLeaseMs: 1_000,
      }),
    },
  });
  w.children.push(child);
  return child;
}

async function slackPost(child: ChildApp, body: string): Promise<Response> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  return fetch(`${child.url}/slack/events`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": timestamp,
      "x-slack-signature": signSlack(CHILD_SIGNING_SECRET, timestamp, body),
    },
    body,
  });
}

/** `/call-queue <text>` as `user`: the ack's words (a slow start answers "Working on it…" first). */
async function command(w: World, child: ChildApp, text: string, user: string): Promise<string> {
  const form = new URLSearchParams({
    token: "legacy",
    team_id: TEAM_ID,
    team_domain: "leadline-test",
    channel_id: dmOf(user),
    channel_name: "directmessage",
    user_id: user,
    user_name: user.toLowerCase(),
    command: "/call-queue",
    text,
    api_app_id: "A0LEADLINE",
    is_enterprise_install: "false",
    response_url: w.slack.responseUrl(),
    trigger_id: `${Date.now()}.${Math.floor(Math.random() * 1e6)}.trigger`,
  });
  const res = await slackPost(child, form.toString());
  expect(res.status).toBe(200);
  return String(((await res.json()) as { text?: string }).text ?? "");
}

/**
 * `/call-queue <text>` as `user`, answered with words matching `pattern`: in the ack, or (a slow start on a
 * loaded machine acks "Working on it…") in the answer that follows through the response URL.
 */
async function answered(w: World, child: ChildApp, text: string, user: string, pattern: RegExp): Promise<string> {
  const before = w.slack.responses.length;
  const ack = await command(w, child, text, user);
  if (pattern.test(ack)) return ack;
  expect(ack).toMatch(/Working on it/);
  return until(
    () =>
      w.slack.responses
        .slice(before)
        .map((r) => String(r.body.text ?? ""))
        .find((words) => pattern.test(words)),
    `the answer to /call-queue ${text}`,
    STEP,
  );
}

type Block = {
  type: string;
  text?: { text: string };
  elements?: { action_id?: string; value?: string; options?: { value: string }[] }[];
};

/** The agent's queue card as Slack shows it now (one message in their DM, edited in place). */
function card(w: World, user: string): { ts: string; blocks: Block[]; words: string } | undefined {
  const found = [...w.slack.messages.values()].filter(
    (m) => m.channel === dmOf(user) && String(m.text).startsWith("Queue ") && !w.earlier.has(String(m.ts)),
  );
  if (found.length > 1) throw new Error(`the queue card was posted ${found.length} times`);
  const message = found[0];
  if (!message) return undefined;
  const blocks = (message.blocks ?? []) as Block[];
  const words = blocks
    .map((b) =>
      [b.text?.text, ...(b.elements ?? []).map((e) => (e as { text?: { text?: string } }).text?.text)].join(" "),
    )
    .join("\n");
  return { ts: String(message.ts), blocks, words };
}

const buttonOn = (w: World, user: string, actionId: string) =>
  card(w, user)
    ?.blocks.flatMap((b) => b.elements ?? [])
    .find((e) => e.action_id === actionId);

/** Presses a button of the agent's card (its value as shown, or `value` as an older card showed it). */
async function press(w: World, child: ChildApp, user: string, actionId: string, value?: string): Promise<string> {
  const shown = value ?? (await until(() => buttonOn(w, user, actionId), `${user}'s ${actionId} button`, STEP)).value!;
  const payload = buttonClick({
    userId: user,
    actionId,
    value: shown,
    channel: dmOf(user),
    messageTs: card(w, user)!.ts,
    responseUrl: w.slack.responseUrl(),
  });
  const res = await slackPost(child, new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
  expect(res.status).toBe(200);
  return shown;
}

/** Picks `choice` in a menu of the agent's card (Skip's reasons). */
async function pick(w: World, child: ChildApp, user: string, actionId: string, choice: string): Promise<void> {
  const menu = await until(() => buttonOn(w, user, actionId), `${user}'s ${actionId} menu`, STEP);
  const option = menu.options?.find((o) => o.value.endsWith(`:${choice}`));
  if (!option) throw new Error(`no ${choice} in the ${actionId} menu`);
  const payload = menuPick({
    userId: user,
    actionId,
    value: option.value,
    channel: dmOf(user),
    messageTs: card(w, user)!.ts,
    responseUrl: w.slack.responseUrl(),
  });
  const res = await slackPost(child, new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
  expect(res.status).toBe(200);
}

const participantCreates = (w: World, to?: string) =>
  w.twilio.requests.filter(
    (r) =>
      r.method === "POST" &&
      /\/Conferences\/[^/]+\/Participants\.json$/.test(r.path) &&
      (to === undefined || r.params.get("To") === to),
  );

const row = async <T = Record<string, unknown>>(child: ChildApp, sql: string, params: unknown[] = []) =>
  (await childSql<T>(child, sql, params))[0];

const runOf = (child: ChildApp, agent: string) =>
  row<{ id: number; status: string; conference: string; agentCallSid: string | null; endReason: string | null }>(
    child,
    `SELECT "id", "status", "conference", "agentCallSid", "endReason" FROM "QueueRun" WHERE "agentId" = ? ORDER BY "id" DESC LIMIT 1`,
    [agent],
  );

const callTo = (child: ChildApp, phone: string) =>
  row<{ id: number; status: string; twilioSid: string | null; activeLeadId: number | null; outcome: string | null }>(
    child,
    `SELECT "id", "status", "twilioSid", "activeLeadId", "outcome" FROM "Call" WHERE "toNumber" = ? ORDER BY "id" DESC LIMIT 1`,
    [phone],
  );

const claimsOf = (child: ChildApp, phone: string) =>
  childSql<{ id: number; agentId: string; status: string; liveLeadId: number | null; callId: number | null }>(
    child,
    `SELECT c."id", c."agentId", c."status", c."liveLeadId", c."callId" FROM "QueueClaim" c JOIN "Lead" l ON l."id" = c."leadId"
      WHERE l."phone" = ? ORDER BY c."id"`,
    [phone],
  );

/** Starts the agent's run and waits until their phone has joined its conference and a lead is on the card. */
async function startRun(w: World, child: ChildApp, user: string) {
  await answered(w, child, "Zillow", user, /Ringing your phone for queue run #\d+/);
  const run = await until(
    async () => {
      const found = await runOf(child, user);
      return found?.status === "live" && found;
    },
    `${user}'s phone to join the run`,
    STEP,
  );
  return run;
}

/** The simulated Twilio's call to a number (the newest). */
const simCallTo = (w: World, phone: string) =>
  [...w.twilio.sim.calls.values()].filter((call) => call.to === phone).at(-1);

describe(`kill -9 in the middle of a queue run (${process.env.LEADLINE_TEST_ENGINE ?? "sqlite"})`, () => {
  it("a lead live on the run's line stays the agent's, is checked with Twilio, is settled from Twilio, and is dialled once", async () => {
    const w = await setUp();
    const first = await startLeadline(w);
    await answered(w, first, "new Zillow source=zillow order=new gap=60", ADMIN, /Queue \*Zillow\* created/);
    const run = await startRun(w, first, AGENT);
    await until(() => card(w, AGENT)?.words.includes(XENA.name), "Xena on Maria's card", STEP);
    await press(w, first, AGENT, ids.queue.callAction);
    // Xena's leg is live in the run's conference, and Leadline heard so.
    const xena = await until(
      async () => {
        const call = await callTo(first, XENA.phone);
        return call?.status === "in-progress" && simCallTo(w, XENA.phone)?.status === "in-progress" && call;
      },
      "Xena's leg to be live",
      STEP,
    );
    const xenaSid = xena.twilioSid!;
    expect(simCallTo(w, XENA.phone)!.sid).toBe(xenaSid);

    await first.kill("SIGKILL");
    const restartedAt = Date.now();
    const second = await startLeadline(w);

    // The new instance asks Twilio about Xena's call (the sweep) and applies what it hears: still live.
    await until(
      () =>
        w.twilio.requests.some(
          (r) => r.method === "GET" && r.path.endsWith(`/Calls/${xenaSid}.json`) && r.at >= restartedAt,
        ),
      "the sweep to ask Twilio about Xena's call",
      LONG,
    );
    expect(await callTo(second, XENA.phone)).toMatchObject({ status: "in-progress", activeLeadId: expect.any(Number) });
    expect(await claimsOf(second, XENA.phone)).toMatchObject([{ agentId: AGENT, status: "dialing", callId: xena.id }]);
    // Maria's line is checked with Twilio too: still up, so her run goes on over it (any instance serves it).
    await until(
      () =>
        w.twilio.requests.some(
          (r) => r.method === "GET" && r.path.endsWith(`/Calls/${run.agentCallSid}.json`) && r.at >= restartedAt,
        ),
      "the new instance to ask Twilio about Maria's line",
      LONG,
    );
    expect(w.twilio.sim.calls.get(run.agentCallSid!)!.status).toBe("in-progress");
    expect((await runOf(second, AGENT))!.status).toBe("live");

    // Bruno starts a run on the new instance: he is offered Yuri, never Xena (her call lives).
    await startRun(w, second, OTHER);
    await until(() => card(w, OTHER)?.words.includes(YURI.name), "Yuri on Bruno's card", STEP);
    await pick(w, second, OTHER, ids.queue.skipAction, "not_now");
    await until(
      () => card(w, OTHER)?.words.includes("No lead to offer right now"),
      "Bruno's card to have no lead (Xena is on a live call)",
      STEP,
    );
    expect(card(w, OTHER)!.words).not.toContain(XENA.name);

    // Xena hangs up and Twilio's callback is lost: the sweep learns the end from Twilio.
    w.twilio.sim.faults.loseWebhooks = (url) => url.includes(`/twilio/status?call=${xena.id}&`);
    const hungUpAt = Date.now();
    w.twilio.sim.hangUp(xenaSid);
    await until(
      async () => (await callTo(second, XENA.phone))?.status === "completed",
      "the sweep to learn from Twilio that Xena's call ended",
      LONG,
    );
    expect(
      w.twilio.requests.some(
        (r) => r.method === "GET" && r.path.endsWith(`/Calls/${xenaSid}.json`) && r.at >= hungUpAt,
      ),
    ).toBe(true);
    expect((await callTo(second, XENA.phone))!.activeLeadId).toBeNull();

    // Maria's card (served by the new instance) asks for the outcome; she gives it, Xena's claim is done.
    await press(w, second, AGENT, `${ids.queue.outcomePrefix}interested`);
    await until(
      async () => (await claimsOf(second, XENA.phone))[0]?.status === "done",
      "Xena's claim released with the outcome",
      STEP,
    );
    expect((await callTo(second, XENA.phone))!.outcome).toBe("interested");
    // Her standing in the queue is written just after the release.
    const standing = await until(
      async () => {
        const found = await row<{ notBefore: unknown; lastDialAt: unknown; lastOutcome: string | null }>(
          second,
          `SELECT q."notBefore", q."lastDialAt", q."lastOutcome" FROM "QueueLead" q JOIN "Lead" l ON l."id" = q."leadId" WHERE l."phone" = ?`,
          [XENA.phone],
        );
        return found?.lastOutcome === "interested" && found;
      },
      "Xena's standing to take the outcome",
      STEP,
    );
    // The re-call gap (60 min) counts from the dial: Xena comes back then, not before.
    const at = (value: unknown) => (value instanceof Date ? value : new Date(value as string | number));
    expect(at(standing.notBefore).getTime() - at(standing.lastDialAt).getTime()).toBe(60 * 60_000);
    await until(
      () => card(w, AGENT)?.words.includes("No lead to offer right now"),
      "Maria's card to have no lead (Xena inside her re-call gap, Yuri snoozed)",
      STEP,
    );
    // Bruno looks again: still nothing (his card is redrawn, without Xena).
    const lookedAt = Date.now();
    await press(w, second, OTHER, ids.queue.nextAction);
    await until(
      () => w.slack.callsTo("chat.update").some((c) => c.args.channel === dmOf(OTHER) && c.at >= lookedAt),
      "Bruno's card redrawn after his Next",
      STEP,
    );
    expect(card(w, OTHER)!.words).toContain("No lead to offer right now");
    expect(await claimsOf(second, XENA.phone)).toHaveLength(1);
    // The gap passes (what counts it, her next allowed time in the queue and her last contact, moved back
    // past it): Xena is offered again.
    const past = childDate(second, new Date(Date.now() - 61 * 60_000));
    await childSql(
      second,
      `UPDATE "QueueLead" SET "notBefore" = ?, "lastDialAt" = ? WHERE "leadId" = (SELECT "id" FROM "Lead" WHERE "phone" = ?)`,
      [past, past, XENA.phone],
    );
    await childSql(second, `UPDATE "Lead" SET "lastContactedAt" = ? WHERE "phone" = ?`, [past, XENA.phone]);
    await press(w, second, OTHER, ids.queue.nextAction);
    await until(() => card(w, OTHER)?.words.includes(XENA.name), "Xena offered to Bruno after the gap", STEP);

    // Both stop; each run's line and conference end with Twilio.
    await press(w, second, AGENT, ids.queue.stopAction);
    await press(w, second, OTHER, ids.queue.stopAction);
    await until(
      () => [...w.twilio.sim.conferences.values()].every((c) => c.status === "completed"),
      "every conference to end",
      STEP,
    );
    // Xena was dialled once, Yuri never; each agent's phone rang once.
    expect(participantCreates(w, XENA.phone)).toHaveLength(1);
    expect(participantCreates(w, YURI.phone)).toHaveLength(0);
    expect(w.twilio.creates().map((r) => r.params.get("To"))).toEqual([AGENT_PHONE, AGENT_PHONE]);
    await second.kill("SIGTERM");
  }, 300_000);

  it("killed before Twilio's answer to the participant create arrived: the new instance adopts Twilio's participant, never dials again", async () => {
    const w = await setUp();
    const first = await startLeadline(w);
    await answered(w, first, "new Zillow source=zillow order=new gap=60", ADMIN, /Queue \*Zillow\* created/);
    const run = await startRun(w, first, AGENT);
    await until(() => card(w, AGENT)?.words.includes(XENA.name), "Xena on Maria's card", STEP);
    // From now on the account's new legs wait to be played, and Twilio's answer to a participant create waits.
    w.twilio.sim.accounts.get(w.account.sid)!.callFlow = "hold";
    let answer!: () => void;
    w.twilio.holds.set("createParticipant", new Promise<void>((resolve) => (answer = resolve)));
    const callValue = await press(w, first, AGENT, ids.queue.callAction);
    const placed = await until(() => simCallTo(w, XENA.phone), "Twilio to have Xena's participant", STEP);
    expect(participantCreates(w, XENA.phone)).toHaveLength(1);
    await first.kill("SIGKILL");
    answer();
    w.twilio.holds.delete("createParticipant");
    // What the dead instance left: the call row without Twilio's SID, the claim dialling.
    expect(await callTo(first, XENA.phone)).toMatchObject({ status: "dialing", twilioSid: null });
    expect(await claimsOf(first, XENA.phone)).toMatchObject([{ agentId: AGENT, status: "dialing" }]);

    const second = await startLeadline(w);
    await until(
      async () => (await callTo(second, XENA.phone))?.twilioSid === placed.sid,
      "the new instance to adopt Xena's participant",
      LONG,
    );
    // Maria presses Call again on the card she had: nothing is dialled.
    await press(w, second, AGENT, ids.queue.callAction, callValue);
    // Twilio rings Xena (the held leg plays): she answers, talks, hangs up; the new instance hears it all.
    w.twilio.sim.play(placed.sid);
    await until(async () => (await callTo(second, XENA.phone))?.status === "in-progress", "Xena's leg live", STEP);
    w.twilio.sim.hangUp(placed.sid);
    await until(async () => (await callTo(second, XENA.phone))?.status === "completed", "Xena's call ended", STEP);
    await press(w, second, AGENT, `${ids.queue.outcomePrefix}interested`);
    await until(
      async () => (await claimsOf(second, XENA.phone))[0]?.status === "done",
      "Xena's claim released with the outcome",
      STEP,
    );
    await press(w, second, AGENT, ids.queue.stopAction);
    await until(() => w.twilio.sim.calls.get(run.agentCallSid!)?.status === "completed", "Maria's line to end", STEP);
    expect(participantCreates(w, XENA.phone)).toHaveLength(1);
    expect(
      Number(
        (
          await childSql<{ n: unknown }>(second, `SELECT COUNT(*) AS n FROM "Call" WHERE "toNumber" = ?`, [XENA.phone])
        )[0]!.n,
      ),
    ).toBe(1);
    await second.kill("SIGTERM");
  }, 300_000);

  it("the agent hangs up while Leadline is dead: the new instance learns it from Twilio and ends the run at once", async () => {
    const w = await setUp();
    const first = await startLeadline(w);
    await answered(w, first, "new Zillow source=zillow order=new gap=60", ADMIN, /Queue \*Zillow\* created/);
    const run = await startRun(w, first, AGENT);
    await press(w, first, AGENT, ids.queue.callAction);
    const xena = await until(
      async () => {
        const call = await callTo(first, XENA.phone);
        return call?.status === "in-progress" && call;
      },
      "Xena's leg to be live",
      STEP,
    );
    await first.kill("SIGKILL");
    // Maria hangs up while no Leadline listens: the conference ends with her (Xena's leg with it), and
    // every callback about it is lost.
    w.twilio.sim.hangUp(run.agentCallSid!);
    const conference = [...w.twilio.sim.conferences.values()].find((c) => c.friendlyName === run.conference)!;
    await until(
      () => conference.status === "completed" && simCallTo(w, XENA.phone)?.status === "completed",
      "the conference to end with Maria's leg",
      STEP,
    );
    expect((await runOf(first, AGENT))!.status).toBe("live");

    const second = await startLeadline(w);
    await until(
      async () => (await runOf(second, AGENT))?.status === "ended",
      "the new instance to end the run Twilio says is over",
      LONG,
    );
    expect(await runOf(second, AGENT)).toMatchObject({ endReason: "agent_hung_up" });
    expect(
      w.twilio.requests.some((r) => r.method === "GET" && r.path.endsWith(`/Calls/${run.agentCallSid}.json`)),
    ).toBe(true);
    await until(
      () => card(w, AGENT)?.words.includes("The run has ended: you hung up."),
      "Maria's card to say the run ended",
      STEP,
    );
    await until(
      async () => (await callTo(second, XENA.phone))?.status === "completed",
      "Xena's call settled from Twilio",
      LONG,
    );
    expect(await claimsOf(second, XENA.phone)).toMatchObject([{ liveLeadId: null, callId: xena.id }]);
    // Maria starts again at once (not "already working a queue"); Xena waits out her re-call gap.
    w.earlier = new Set([...w.slack.messages.values()].map((m) => String(m.ts)));
    await answered(w, second, "Zillow", AGENT, /Ringing your phone for queue run #\d+/);
    await until(
      async () => (await runOf(second, AGENT))?.status === "live" && card(w, AGENT)?.words.includes(YURI.name),
      "Maria's new run to offer Yuri",
      STEP,
    );
    await press(w, second, AGENT, ids.queue.stopAction);
    expect(participantCreates(w, XENA.phone)).toHaveLength(1);
    await second.kill("SIGTERM");
  }, 300_000);

  it("a run that ended while Twilio refused to hang up its line: the sweep hangs the line up, ending the conference", async () => {
    const w = await setUp();
    const first = await startLeadline(w);
    await answered(w, first, "new Zillow source=zillow order=new gap=60", ADMIN, /Queue \*Zillow\* created/);
    const run = await startRun(w, first, AGENT);
    const conference = await until(
      () => [...w.twilio.sim.conferences.values()].find((c) => c.friendlyName === run.conference),
      "Maria in the run's conference",
    );
    w.twilio.sim.faults.failNext.set("updateCall", { status: 500, code: 20500, count: 1 });
    const lineUpdates = () =>
      w.twilio.requests.filter((r) => r.method === "POST" && r.path.endsWith(`/Calls/${run.agentCallSid}.json`));
    await press(w, first, AGENT, ids.queue.stopAction);
    await until(() => lineUpdates().length >= 1, "the Stop to ask Twilio to hang up the line", STEP);
    expect((await runOf(first, AGENT))!.status).toBe("ended");
    expect(w.twilio.sim.faults.failNext.has("updateCall")).toBe(false);
    expect(w.twilio.sim.calls.get(run.agentCallSid!)!.status).toBe("in-progress");
    await until(
      () => w.twilio.sim.calls.get(run.agentCallSid!)!.status === "completed" && conference.status === "completed",
      "the sweep to hang up the line the Stop could not",
      LONG,
    );
    expect(lineUpdates().map((r) => r.params.get("Status"))).toEqual(["completed", "completed"]);
    expect(first.output()).toContain("a run ended with its line still up");
    await first.kill("SIGTERM");
  }, 300_000);

  it("killed before Twilio's answer to the agent's Calls create: the line is known from its own webhook, so Stop on the new instance hangs it up", async () => {
    const w = await setUp();
    const first = await startLeadline(w);
    await answered(w, first, "new Zillow source=zillow order=new gap=60", ADMIN, /Queue \*Zillow\* created/);
    // Twilio places Maria's line (it rings, she presses 1, joins) but its answer to the create waits.
    let answer!: () => void;
    w.twilio.holds.set("createCall", new Promise<void>((resolve) => (answer = resolve)));
    void command(w, first, "Zillow", AGENT).catch(() => undefined);
    const run = await until(
      async () => {
        const found = await runOf(first, AGENT);
        return found?.status === "live" && card(w, AGENT)?.words.includes(XENA.name) && found;
      },
      "Maria on the line with Xena on her card",
      LONG,
    );
    const line = await until(() => simCallTo(w, AGENT_PHONE), "Twilio's call to Maria's phone");
    await first.kill("SIGKILL");
    answer();
    w.twilio.holds.delete("createCall");
    // The line's SID came with its own webhook (the key she pressed), not with the create's answer.
    expect(run.agentCallSid).toBe(line.sid);

    const second = await startLeadline(w);
    await press(w, second, AGENT, ids.queue.stopAction);
    await until(
      () =>
        line.status === "completed" && [...w.twilio.sim.conferences.values()].every((c) => c.status === "completed"),
      "Stop on the new instance to hang up Maria's line and end the conference",
      LONG,
    );
    expect(await runOf(second, AGENT)).toMatchObject({ status: "ended", endReason: "stopped" });
    expect(w.twilio.creates()).toHaveLength(1);
    expect(participantCreates(w)).toHaveLength(0);
    await second.kill("SIGTERM");
  }, 300_000);
});
