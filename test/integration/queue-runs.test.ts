import { createServer } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { blockKitProblems } from "../../sandbox/slack/block-kit/index.js";
import { ids, queueFields, scheduleFields } from "../../src/lib/ids.js";
import { CALLING_TIME, eventually, freshStart, settled, startTestApp, type TestApp } from "../helpers/app.js";
import { type FakeAccount, startFakeTwilio } from "../helpers/fake-twilio.js";
import { buttonClick, menuPick, viewSubmission } from "../helpers/payloads.js";

// A queue run end to end through the real app, the simulated Slack and the simulated Twilio playing
// the calls (its webhooks signed and sent to the app at PUBLIC_BASE_URL): the agent's phone rung once,
// the key, the conference, each lead a participant, outcomes, skips, stop; and the faults around them.

const ADMIN = "U0ADMIN01";
const AGENT = "U0MARIA01";
const DM = `D${AGENT.slice(1)}`;
const FROM = "+15005550006";
const AGENT_PHONE = "+13055550150";
/** The agent's phone: answers, presses 1, and stays on the line until hung up (the run's one line). */
const STAYS = { outcome: "human", presses: "1", talkSec: 86_400, describe: "the agent presses 1 and stays" } as const;

let t: TestApp;
let account: FakeAccount;
let publicUrl: string;
/** Cards of earlier tests' runs. */
let earlier = new Set<unknown>();

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  const port = await freePort();
  publicUrl = `http://127.0.0.1:${port}`;
  t = await startTestApp({
    twilio: await startFakeTwilio({ play: { pace: 0.01 } }),
    env: { PORT: String(port), PUBLIC_BASE_URL: publicUrl, ADMIN_SLACK_USER_IDS: ADMIN },
    // Auto-advance's wait (seconds) passes at once: the tests wait on the dial itself.
    queueAutoAdvanceScale: () => 0,
  });
}, 30_000);
afterAll(async () => {
  await t?.stop();
});
beforeEach(async () => {
  await settled(t);
  const db = t.app.deps.db;
  await db.queueSkip.deleteMany();
  await db.queueClaim.deleteMany();
  await db.queueLead.deleteMany();
  await db.queueRun.deleteMany();
  await db.callQueue.deleteMany();
  account = await freshStart(t, {
    tables: ["call", "note", "consent", "lead", "dncEntry"],
    from: FROM,
    agentPhone: AGENT_PHONE,
    admin: ADMIN,
  });
  t.twilio.sim.answerAs(AGENT_PHONE, STAYS);
  t.twilio.sim.faults.failNext.clear();
  earlier = new Set([...t.slack.messages.values()].map((m) => m.ts));
});

/** A slash command's answer (in its ack). */
async function command(text: string, user = AGENT): Promise<string> {
  const res = await t.command("/call-queue", text, user);
  return String(((await res.json()) as { text?: string }).text ?? "");
}

async function lead(
  name: string,
  phone: string,
  source = "zillow",
  extra: { state?: string; autodial?: boolean } = {},
) {
  const created = await t.app.deps.leads.create(t.ws, { name, phone, source, state: extra.state, author: "seed" });
  if (extra.autodial)
    await t.app.deps.consents.record(
      t.ws,
      created,
      {
        scope: "autodial",
        method: "web form",
        text: "I agree that Acme Realty may call me with an automatic dialler.",
      },
      "seed",
    );
  return created;
}

type Block = {
  type: string;
  text?: { text: string };
  elements?: {
    action_id?: string;
    value?: string;
    text?: unknown;
    placeholder?: { text: string };
    options?: { text: { text: string }; value: string }[];
  }[];
};

/** The run's card as Slack now shows it (the one message in the agent's DM, edited in place). */
function card(): { text: string; blocks: Block[]; ts: string } | undefined {
  const found = [...t.slack.messages.values()].filter(
    (m) => m.channel === DM && String(m.text).startsWith("Queue ") && !earlier.has(m.ts),
  );
  if (found.length > 1) throw new Error(`the queue card was posted ${found.length} times`);
  const message = found[0];
  return message && { text: String(message.text), blocks: message.blocks as Block[], ts: String(message.ts) };
}
const cardWords = () =>
  (card()?.blocks ?? [])
    .map((b) =>
      [
        b.text?.text,
        ...(b.elements ?? []).map(
          (e) => (e as { text?: { text?: string } }).text?.text ?? (e as { text?: string }).text ?? e.placeholder?.text,
        ),
      ].join(" "),
    )
    .join("\n");
const buttonOn = (actionId: string) =>
  card()
    ?.blocks.flatMap((b) => b.elements ?? [])
    .find((e) => e.action_id === actionId);

async function press(actionId: string) {
  const button = await eventually(() => buttonOn(actionId), `the card's ${actionId} button`);
  const res = await t.interact(
    buttonClick({
      userId: AGENT,
      actionId,
      value: button.value!,
      channel: DM,
      messageTs: card()!.ts,
      responseUrl: t.slack.responseUrl(),
    }),
  );
  expect(res.status).toBe(200);
  return button.value!;
}

/** Submits Snooze's day-and-time form with Slack's date and time pickers' state (10:00 on that day). */
async function submitPicked(view: Record<string, unknown>, date: string): Promise<string> {
  const payload = viewSubmission(view, AGENT, {}) as { view: { state: { values: Record<string, unknown> } } };
  payload.view.state.values = {
    [scheduleFields.date]: { value: { type: "datepicker", selected_date: date } },
    [scheduleFields.time]: { value: { type: "timepicker", selected_time: "10:00" } },
  };
  return (await t.interact(payload)).text();
}

/** Picks an option in the card's Skip or Snooze menu (the option's value ends with the choice). */
async function pick(actionId: string, choice: string) {
  const element = await eventually(() => buttonOn(actionId), `the card's ${actionId} menu`);
  const option = element.options?.find((o) => o.value.endsWith(`:${choice}`));
  if (!option) throw new Error(`no ${choice} in the ${actionId} menu`);
  const res = await t.interact(
    menuPick({
      userId: AGENT,
      actionId,
      value: option.value,
      channel: DM,
      messageTs: card()!.ts,
      responseUrl: t.slack.responseUrl(),
    }),
  );
  expect(res.status).toBe(200);
  return option;
}

const creates = () => t.twilio.creates();
const participantCreates = () =>
  t.twilio.requests.filter((r) => r.method === "POST" && /\/Conferences\/[^/]+\/Participants\.json$/.test(r.path));
const runs = () => t.app.deps.db.queueRun.findMany({ orderBy: { id: "asc" } });
const liveClaims = () => t.app.deps.db.queueClaim.findMany({ where: { liveLeadId: { not: null } } });
const told = () => t.slack.responses.map((r) => String(r.body.text ?? ""));

/** Starts a run of `queue` and waits until the agent has pressed the key and joined its conference. */
async function startRun(queue = "Zillow") {
  expect(await command(queue)).toMatch(/Ringing your phone for queue run #\d+/);
  const [run] = await eventually(async () => {
    const all = await runs();
    return all[0]?.status === "live" && all;
  }, "the agent to join the run");
  return run!;
}

describe(`a queue run over one line (${process.env.LEADLINE_TEST_ENGINE ?? "sqlite"})`, () => {
  it("start → key → Call → participant → outcome → next lead → skip → stop, the agent's phone rung once", async () => {
    expect(await command("new Zillow source=zillow order=new gap=60", ADMIN)).toMatch(/Queue \*Zillow\* created/);
    const ann = await lead("Ann Lee", "+12125550111");
    const bob = await lead("Bob Kim", "+12125550112");
    const cat = await lead("Cat Roy", "+12125550113");
    await lead("Dee Referral", "+12125550114", "referral");

    const run = await startRun();
    // The agent's phone: one Calls create, its answer URL asking for a key, its status reported per event.
    expect(creates()).toHaveLength(1);
    const [agentCall] = creates();
    const query = `run=${run.id}&ws=${t.ws}`;
    expect(Object.fromEntries(agentCall!.params)).toEqual({
      To: AGENT_PHONE,
      From: FROM,
      Url: `${publicUrl}/twilio/voice/queue/agent?${query}`,
      Method: "POST",
      StatusCallback: `${publicUrl}/twilio/queue/agent-status?${query}`,
      StatusCallbackMethod: "POST",
      StatusCallbackEvent: "completed",
      Timeout: "30",
    });
    expect(agentCall!.params.getAll("StatusCallbackEvent")).toEqual(["initiated", "ringing", "answered", "completed"]);
    const agentSid = run.agentCallSid!;
    const agentLeg = t.twilio.sim.calls.get(agentSid)!;
    // What the phone was told: the key prompt, then (after the key) the run's conference, ending with the agent.
    expect(agentLeg.transcript.join("\n")).toContain("Press any key to start calling.");
    await eventually(() => agentLeg.twiml.includes("<Conference"), "the agent's leg to play the join TwiML");
    expect(agentLeg.twiml).toBe(
      `<?xml version="1.0" encoding="UTF-8"?><Response><Dial><Conference startConferenceOnEnter="true" endConferenceOnExit="true" beep="false" waitUrl="" statusCallback="${publicUrl}/twilio/queue/conference?run=${run.id}&amp;ws=${t.ws}" statusCallbackEvent="start end join leave" statusCallbackMethod="POST">${run.conference}</Conference></Dial></Response>`,
    );
    const prompt = await t.signedTwilio(`/twilio/voice/queue/agent?${query}`, { CallSid: agentSid }, account.token);
    expect(await prompt.text()).toBe(
      `<?xml version="1.0" encoding="UTF-8"?><Response><Gather numDigits="1" timeout="8" action="${publicUrl}/twilio/voice/queue/join?run=${run.id}&amp;ws=${t.ws}" method="POST" actionOnEmptyResult="true"><Say>Leadline queue Zillow. Press any key to start calling.</Say></Gather></Response>`,
    );

    // The first lead by arrival is on the card with Call, Skip, Snooze and Stop.
    await eventually(() => cardWords().includes("Ann Lee"), "Ann on the card");
    expect(["Call", "Skip…", "Snooze…", "Stop"].every((word) => cardWords().includes(word))).toBe(true);
    expect(buttonOn(ids.queue.skipAction)?.options?.map((o) => o.text.text)).toEqual([
      "Not interested right now",
      "Asked to be called later",
      "Already in touch with us",
      "Wrong number (out of this queue)",
      "Other reason",
    ]);
    expect(card()!.text).toContain("0 called · 0 skipped");

    // Call: Ann joins the agent's conference as a participant with the team number and her own callbacks.
    await press(ids.queue.callAction);
    await eventually(() => participantCreates().length === 1, "Ann's participant");
    const annCall = (await t.app.deps.db.call.findFirst({ where: { leadId: ann.id } }))!;
    const [participant] = participantCreates();
    expect(participant!.path).toBe(
      `/2010-04-01/Accounts/${account.sid}/Conferences/${encodeURIComponent(run.conference)}/Participants.json`,
    );
    expect([...participant!.params].sort()).toEqual(
      [
        ["From", FROM],
        ["To", "+12125550111"],
        ["Label", `lead-${annCall.id}`],
        ["Beep", "false"],
        ["EarlyMedia", "false"],
        ["EndConferenceOnExit", "false"],
        ["Timeout", "30"],
        ["StatusCallback", `${publicUrl}/twilio/status?call=${annCall.id}&ws=${t.ws}`],
        ["StatusCallbackMethod", "POST"],
        ["StatusCallbackEvent", "initiated"],
        ["StatusCallbackEvent", "ringing"],
        ["StatusCallbackEvent", "answered"],
        ["StatusCallbackEvent", "completed"],
      ].sort(),
    );
    // Ann talks, hangs up; the agent stays in the room; the card asks for an outcome (no Call before it).
    await eventually(
      async () => (await t.app.deps.db.call.findUnique({ where: { id: annCall.id } }))?.status === "completed",
      "Ann's call to end",
      10_000,
    );
    await eventually(() => buttonOn(`${ids.queue.outcomePrefix}interested`), "the outcome buttons");
    expect(buttonOn(ids.queue.callAction)).toBeUndefined();
    expect(agentLeg.status).toBe("in-progress");
    const conference = [...t.twilio.sim.conferences.values()].find((c) => c.friendlyName === run.conference)!;
    expect(conference.status).toBe("in-progress");
    expect([...conference.participants.keys()]).toEqual([agentSid]);

    // The outcome: recorded on Ann's call, her claim released, Bob offered next.
    await press(`${ids.queue.outcomePrefix}interested`);
    await eventually(() => cardWords().includes("Bob Kim"), "Bob on the card");
    expect((await t.app.deps.db.call.findUnique({ where: { id: annCall.id } }))?.outcome).toBe("interested");
    expect(card()!.text).toContain("1 called · 0 skipped");

    // Skip, wrong number: Bob is put aside with his reason (a skip row) and out of this queue; Cat comes
    // next; Dee (another source) never does.
    await pick(ids.queue.skipAction, "wrong_number");
    await eventually(() => cardWords().includes("Cat Roy"), "Cat on the card");
    expect(await t.app.deps.db.queueSkip.findMany()).toMatchObject([
      { leadId: bob.id, reason: "wrong_number", runId: run.id, until: null },
    ]);
    expect(
      await t.app.deps.db.queueLead.findUnique({ where: { queueId_leadId: { queueId: run.queueId, leadId: bob.id } } }),
    ).toMatchObject({ doneAt: expect.any(Date) });
    expect(card()!.text).toContain("1 called · 1 skipped (1 wrong number)");
    const [catClaim] = await liveClaims();
    expect(catClaim).toMatchObject({ leadId: cat.id, agentId: AGENT, runId: run.id, status: "offered" });

    // Stop: the run ends, Cat is released, the agent's leg is hung up, which ends the conference.
    await press(ids.queue.stopAction);
    await eventually(() => cardWords().includes("The run has ended: you stopped it."), "the ended card");
    await eventually(() => agentLeg.status === "completed", "the agent's leg to end");
    await eventually(() => conference.status === "completed", "the conference to end");
    expect(await liveClaims()).toEqual([]);
    expect((await runs())[0]).toMatchObject({ status: "ended", endReason: "stopped" });
    await settled(t);
    // One ring of the agent's phone for the whole run; one participant (Ann): nobody else was dialled.
    expect(creates()).toHaveLength(1);
    expect(participantCreates()).toHaveLength(1);
    expect(await t.app.deps.db.call.count()).toBe(1);
    expect(t.slack.refusals).toEqual([]);

    // /call-stats gains the queue's numbers over the same range: its call, connect and skips by reason.
    const stats = async (user: string) => {
      const res = await t.command("/call-stats", "today", user);
      return JSON.stringify(((await res.json()) as { blocks?: unknown }).blocks ?? "");
    };
    expect(await stats(ADMIN)).toContain(
      "*Per queue*\\n*Zillow* · 1 call · 1 connected (100%) · 1 skipped (1 wrong number)",
    );
    // The agent's own numbers are the same here (the run was theirs); another agent's are empty of it.
    expect(await stats(AGENT)).toContain("*Zillow* · 1 call · 1 connected (100%) · 1 skipped (1 wrong number)");
    expect(await stats("U0NOBODY1")).not.toContain("Per queue");
    await settled(t);
  }, 30_000);

  it("auto-advance dials the next lead by itself only with autodial consent, never Florida or Oklahoma; the card says why", async () => {
    expect(await command("new Auto order=new auto=5", ADMIN)).toContain("auto-advance 5 s");
    await lead("Ann First", "+12125550111", "zillow", { autodial: true });
    const fay = await lead("Fay Miami", "+13055550112", "zillow", { autodial: true });
    const oli = await lead("Oli Address", "+12125550113", "zillow", { autodial: true, state: "OK" });
    const nat = await lead("Nat NoConsent", "+12125550114");
    const eve = await lead("Eve Autodial", "+12125550115", "zillow", { autodial: true });
    const run = await startRun("Auto");

    /** Calls the lead on the card by pressing Call, waits for the end of the call, records the outcome. */
    const callByHand = async (name: string) => {
      await eventually(() => cardWords().includes(name), `${name} on the card`);
      const before = participantCreates().length;
      await press(ids.queue.callAction);
      await eventually(() => participantCreates().length === before + 1, `${name}'s participant`);
      await eventually(() => buttonOn(`${ids.queue.outcomePrefix}not_interested`), "the outcome buttons", 10_000);
      await press(`${ids.queue.outcomePrefix}not_interested`);
    };
    /** The lead now on offer was not dialled without a press, and the card says why. */
    const heldBack = async (leadId: number, name: string, why: string) => {
      await eventually(() => cardWords().includes(name), `${name} on the card`);
      await settled(t);
      expect(t.app.deps.queueAutoAdvance.pending(run.id)).toBe(false);
      expect(await t.app.deps.db.call.count({ where: { leadId } })).toBe(0);
      expect(cardWords()).toContain(`Agent-paced for this lead: ${why}`);
    };

    await callByHand("Ann First");
    await heldBack(fay.id, "Fay Miami", "the lead may be in Florida");
    await callByHand("Fay Miami");
    await heldBack(oli.id, "Oli Address", "the lead may be in Oklahoma");
    await callByHand("Oli Address");
    await heldBack(nat.id, "Nat NoConsent", "no autodial consent is on record");
    await callByHand("Nat NoConsent");
    // Eve: consent on record, New York by number and address: dialled without a press.
    const pressesBefore = participantCreates().length;
    await eventually(async () => (await t.app.deps.db.call.count({ where: { leadId: eve.id } })) === 1, "Eve dialled");
    await eventually(() => participantCreates().length === pressesBefore + 1, "Eve's participant");
    expect(participantCreates().at(-1)!.params.get("To")).toBe("+12125550115");
    await eventually(() => buttonOn(`${ids.queue.outcomePrefix}interested`), "Eve's outcome buttons", 10_000);
    await press(`${ids.queue.outcomePrefix}interested`);
    await eventually(() => cardWords().includes("No lead to offer right now"), "the queue worked through");
    await press(ids.queue.stopAction);
    await settled(t);
    // Every lead dialled once; the agent's phone rang once.
    expect(await t.app.deps.db.call.count()).toBe(5);
    expect(creates()).toHaveLength(1);
  }, 40_000);

  it("the lead API and the lead form take consent of scope autodial", async () => {
    const res = await fetch(`${t.url}/api/leads`, {
      method: "POST",
      headers: { authorization: `Bearer ${t.env.LEADS_API_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({
        name: "Api Autodial",
        phone: "+12125550121",
        consent: { scope: "autodial", method: "web form", text: "I agree to automatically dialled calls from Acme." },
      }),
    });
    expect(res.status).toBe(201);
    expect(await t.app.deps.db.consent.findMany()).toMatchObject([{ scope: "autodial", phone: "+12125550121" }]);
    const bad = await fetch(`${t.url}/api/leads`, {
      method: "POST",
      headers: { authorization: `Bearer ${t.env.LEADS_API_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({
        name: "Api Robo",
        phone: "+12125550122",
        consent: { scope: "robocalls", method: "web form", text: "I agree to automatically dialled calls." },
      }),
    });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { fields: { consent: string } }).fields.consent).toContain(
      '"autodial" (calls a queue dials on its own)',
    );
  });

  it("supervisors: /call-queue status lists the run; Listen adds the admin's phone muted, Whisper coaching the agent; the card says so", async () => {
    const SUPERVISOR_PHONE = "+13055550160";
    await command("new Zillow", ADMIN);
    const ann = await lead("Ann Lee", "+12125550111");
    t.twilio.sim.answerAs("+12125550111", { outcome: "human", talkSec: 86_400, describe: "Ann talks on" });
    t.twilio.sim.answerAs(SUPERVISOR_PHONE, { outcome: "human", talkSec: 86_400, describe: "the supervisor listens" });
    const run = await startRun();
    await press(ids.queue.callAction);
    await eventually(
      async () => (await t.app.deps.db.call.findFirst({ where: { leadId: ann.id } }))?.status === "in-progress",
      "Ann on the line",
      10_000,
    );
    // Agents may not see it; the admin sees the agent on a call, with Listen, Whisper and Join.
    expect(await command("status", AGENT)).not.toContain(AGENT);
    const res = await t.command("/call-queue", "status", ADMIN);
    const status = (await res.json()) as { text: string; blocks: Block[] };
    expect(JSON.stringify(status.blocks)).toContain(`<@${AGENT}> · *Zillow* · 1 calls`);
    expect(JSON.stringify(status.blocks)).toContain("on a call");
    const actions = status.blocks.flatMap((b) => b.elements ?? []).map((e) => e.action_id);
    expect(actions).toEqual([ids.queue.listenAction, ids.queue.whisperAction, ids.queue.joinAction]);

    const supervise = (actionId: string, user = ADMIN) =>
      t.interact(
        buttonClick({
          userId: user,
          actionId,
          value: String(run.id),
          channel: "C0LEADS001",
          responseUrl: t.slack.responseUrl(),
        }),
      );
    // Without a phone of their own the admin is told what to do; nothing is dialled.
    await supervise(ids.queue.listenAction);
    await eventually(
      () => told().some((text) => text.includes("Set your own phone first")),
      "the admin told to set a phone",
    );
    expect(participantCreates()).toHaveLength(1);
    await t.app.deps.agentPhones.set(t.ws, ADMIN, SUPERVISOR_PHONE);
    // A non-admin's click is refused.
    await supervise(ids.queue.listenAction, "U0NOBODY1");
    await settled(t);
    expect(participantCreates()).toHaveLength(1);

    await supervise(ids.queue.listenAction);
    await eventually(() => participantCreates().length === 2, "the supervisor's participant");
    const listen = participantCreates()[1]!;
    expect(Object.fromEntries(listen.params)).toMatchObject({
      From: FROM,
      To: SUPERVISOR_PHONE,
      Label: `supervisor-${ADMIN}`,
      Muted: "true",
      Beep: "false",
      EndConferenceOnExit: "false",
      StatusCallback: `${publicUrl}/twilio/queue/supervisor-status?run=${run.id}&ws=${t.ws}`,
    });
    expect(listen.params.has("Coaching")).toBe(false);
    const conference = [...t.twilio.sim.conferences.values()].find((c) => c.friendlyName === run.conference)!;
    const listener = await eventually(
      () => [...conference.participants.values()].find((p) => p.label === `supervisor-${ADMIN}` && p.joinedAt),
      "the supervisor in the room",
      10_000,
    );
    expect(listener).toMatchObject({ muted: true, coaching: false });
    await eventually(() => cardWords().includes("is listening to this run (muted)"), "the card to say someone listens");
    // A second supervisor at once is refused; hanging up frees the run for Whisper.
    await supervise(ids.queue.whisperAction);
    await eventually(
      () => told().some((text) => text.includes("Another supervisor is already on that run")),
      "refused",
    );
    t.twilio.sim.hangUp(listener.callSid);
    await eventually(() => !cardWords().includes("is listening"), "the card to drop the listener");
    await supervise(ids.queue.whisperAction);
    await eventually(() => participantCreates().length === 3, "the coaching participant");
    expect(Object.fromEntries(participantCreates()[2]!.params)).toMatchObject({
      Coaching: "true",
      CallSidToCoach: run.agentCallSid,
    });
    await eventually(
      () =>
        [...conference.participants.values()].find(
          (p) => p.label === `supervisor-${ADMIN}` && p.coaching && p.joinedAt,
        ),
      "the coach in the room",
      10_000,
    );
    await eventually(() => cardWords().includes("is coaching you"), "the card to say someone coaches");
    await press(ids.queue.stopAction).catch(() => undefined);
    t.twilio.sim.hangUp(run.agentCallSid!);
  }, 40_000);

  it("the agent hanging up ends the run and releases its claim; the card says so", async () => {
    await command("new Zillow", ADMIN);
    const ann = await lead("Ann Lee", "+12125550111");
    const run = await startRun();
    await eventually(() => cardWords().includes("Ann Lee"), "Ann on the card");
    expect(await liveClaims()).toMatchObject([{ leadId: ann.id }]);
    t.twilio.sim.hangUp(run.agentCallSid!);
    await eventually(() => cardWords().includes("The run has ended: you hung up."), "the ended card");
    expect(await liveClaims()).toEqual([]);
    expect(participantCreates()).toEqual([]);
  });

  it("no agent phone: a clear answer, no run, nothing rung", async () => {
    await command("new Zillow", ADMIN);
    await lead("Ann Lee", "+12125550111");
    await t.app.deps.settings.save(t.ws, {}, ADMIN, ["agentPhone"]);
    expect(await command("Zillow")).toContain("Calling a queue needs Twilio set up and your phone");
    expect(await runs()).toEqual([]);
    expect(creates()).toEqual([]);
    expect(await t.app.deps.db.queueClaim.count()).toBe(0);
  });

  it("the agent's phone not answered, or answered by voicemail: the run ends and nothing is dialled", async () => {
    await command("new Zillow", ADMIN);
    await lead("Ann Lee", "+12125550111");
    t.twilio.sim.answerAs(AGENT_PHONE, "no-answer");
    expect(await command("Zillow")).toContain("Ringing your phone");
    await eventually(async () => (await runs())[0]?.status === "ended", "the unanswered run to end", 10_000);
    expect((await runs())[0]!.endReason).toBe("agent_no-answer");
    await eventually(() => cardWords().includes("your phone did not answer"), "the card to say why");

    t.twilio.sim.answerAs(AGENT_PHONE, "voicemail");
    expect(await command("Zillow")).toContain("Ringing your phone");
    await eventually(async () => (await runs())[1]?.status === "ended", "the voicemail run to end", 10_000);
    expect((await runs())[1]!.endReason).toBe("agent_no_key");
    await settled(t);
    // No lead was claimed, let alone dialled.
    expect(await t.app.deps.db.queueClaim.count()).toBe(0);
    expect(participantCreates()).toEqual([]);
    expect(await t.app.deps.db.call.count()).toBe(0);
  }, 20_000);

  it("Twilio refusing a participant: the call is failed with Twilio's code, the lead released, the agent told", async () => {
    await command("new Zillow", ADMIN);
    const ann = await lead("Ann Lee", "+12125550111");
    await lead("Bob Kim", "+12125550112");
    const run = await startRun();
    await eventually(() => cardWords().includes("Ann Lee"), "Ann on the card");
    t.twilio.sim.faults.failNext.set("createParticipant", {
      status: 400,
      code: 21215,
      message: "Geo Permission configuration is not permitting call",
      count: 1,
    });
    await press(ids.queue.callAction);
    await eventually(() => told().some((text) => text.includes("21215")), "the agent to be told Twilio's code");
    const call = (await t.app.deps.db.call.findFirst({ where: { leadId: ann.id } }))!;
    expect(call).toMatchObject({ status: "failed", errorCode: 21215 });
    const claim = (await t.app.deps.db.queueClaim.findFirst({ where: { leadId: ann.id } }))!;
    expect(claim).toMatchObject({ liveLeadId: null, status: "stopped" });
    // The run goes on with the next lead; the agent is still on the line.
    await eventually(() => cardWords().includes("Bob Kim"), "Bob offered next");
    expect((await runs())[0]!.status).toBe("live");
    expect(t.twilio.sim.calls.get(run.agentCallSid!)!.status).toBe("in-progress");
    await press(ids.queue.stopAction);
  });

  it("a queue edited mid-run: the next lead follows the new filter; deleted mid-run: the run ends at the next step", async () => {
    await command("new Zillow source=zillow", ADMIN);
    await lead("Ann Lee", "+12125550111");
    await lead("Bob Kim", "+12125550112");
    await lead("Dee Referral", "+12125550114", "referral");
    const run = await startRun();
    await eventually(() => cardWords().includes("Ann Lee"), "Ann on the card");
    expect(await command("edit Zillow source=referral", ADMIN)).toContain("saved");
    await pick(ids.queue.skipAction, "not_now");
    await eventually(() => cardWords().includes("Dee Referral"), "the referral lead under the new filter");

    expect(await command("delete Zillow", ADMIN)).toContain("deleted");
    await pick(ids.queue.skipAction, "other");
    await eventually(() => told().some((text) => text.includes("That queue was deleted")), "the agent told");
    await eventually(() => cardWords().includes("the queue was deleted"), "the ended card");
    expect((await runs())[0]).toMatchObject({ status: "ended", endReason: "queue_deleted" });
    expect(await liveClaims()).toEqual([]);
    // The agent's line is hung up too: nothing is left ringing or waiting in the conference.
    await eventually(() => t.twilio.sim.calls.get(run.agentCallSid!)!.status === "completed", "the agent's leg to end");
  });

  it("Skip reasons and Snooze times: each a row with its reason, counted on the card; a snoozed lead comes back at its time, in its own morning", async () => {
    await command("new Zillow order=new gap=60", ADMIN);
    const ann = await lead("Ann Lee", "+12125550111");
    const bob = await lead("Bob Kim", "+12125550112");
    const cat = await lead("Cat Roy", "+12125550113");
    const dee = await lead("Dee Fox", "+12125550114");
    const run = await startRun();
    await eventually(() => cardWords().includes("Ann Lee"), "Ann on the card");
    expect(buttonOn(ids.queue.snoozeAction)?.options?.map((o) => o.text.text)).toEqual([
      "1 hour",
      "3 hours",
      "Tomorrow morning (their time)",
      "Next week (Monday morning, their time)",
      "Pick a day and time…",
    ]);
    await pick(ids.queue.skipAction, "call_later");
    await eventually(() => cardWords().includes("Bob Kim"), "Bob on the card");
    await pick(ids.queue.snoozeAction, "tomorrow");
    await eventually(() => cardWords().includes("Cat Roy"), "Cat on the card");
    await pick(ids.queue.snoozeAction, "3h");
    await eventually(() => cardWords().includes("Dee Fox"), "Dee on the card");
    await eventually(
      () => card()!.text.includes("0 called · 1 skipped (1 asked to call later) · 2 snoozed"),
      "the progress line",
    );

    const skips = await t.app.deps.db.queueSkip.findMany({ orderBy: { id: "asc" } });
    expect(skips.map((s) => [s.leadId, s.reason])).toEqual([
      [ann.id, "call_later"],
      [bob.id, "snooze"],
      [cat.id, "snooze"],
    ]);
    const claims = await t.app.deps.db.queueClaim.findMany({ where: { leadId: { in: [bob.id, cat.id] } } });
    expect(claims.map((c) => c.status).sort()).toEqual(["snoozed", "snoozed"]);
    // The law's clock says Tuesday 2 PM in New York: tomorrow morning is Wednesday at the first hour the
    // law allows there (8 AM Eastern), moved onto the app's clock by the same difference.
    const lawGap = (at: Date, created: Date) => at.getTime() - created.getTime();
    const bobSkip = skips[1]!;
    const lawTomorrow = new Date(CALLING_TIME.getTime() + lawGap(bobSkip.until!, bobSkip.createdAt));
    expect(Math.abs(lawTomorrow.getTime() - Date.parse("2026-11-25T13:00:00Z"))).toBeLessThan(60_000);
    const catSkip = skips[2]!;
    expect(Math.abs(lawGap(catSkip.until!, catSkip.createdAt) - 3 * 3_600_000)).toBeLessThan(60_000);
    const standing = await t.app.deps.db.queueLead.findMany({ where: { leadId: { in: [bob.id, cat.id] } } });
    expect(standing.every((row) => row.notBefore !== null && row.doneAt === null)).toBe(true);

    // A time in the past or beyond a month is refused, with what to pick instead; Dee stays on the card.
    const [deeClaim] = await liveClaims();
    const snooze = (until: Date) =>
      t.app.deps.queueRuns.snooze({ ws: t.ws, runId: run.id, agentId: AGENT, claimId: deeClaim!.id, until });
    await expect(snooze(new Date(Date.now() - 60_000))).rejects.toMatchObject({ code: "queue_snooze_past" });
    await expect(snooze(new Date(Date.now() + 40 * 86_400_000))).rejects.toMatchObject({
      code: "queue_snooze_too_far",
    });
    expect(await liveClaims()).toMatchObject([{ leadId: dee.id, status: "offered" }]);
    // A forged reason is refused too, and nothing moves.
    await expect(
      t.app.deps.queueRuns.skip({
        ws: t.ws,
        runId: run.id,
        agentId: AGENT,
        claimId: deeClaim!.id,
        reason: "x" as never,
      }),
    ).rejects.toMatchObject({ code: "queue_skip_reason" });
    expect(await t.app.deps.db.queueSkip.count()).toBe(3);

    // "Pick a day and time…" opens Slack's pickers; a day past, or beyond a month, is refused beside the day
    // with what to pick instead; a good one snoozes Dee until then.
    const opens = t.slack.callsTo("views.open").length;
    await pick(ids.queue.snoozeAction, "pick");
    const form = await eventually(() => t.slack.callsTo("views.open").at(opens), "the snooze form");
    const view = form.args.view as Record<string, unknown>;
    expect(view.callback_id).toBe(ids.queue.snoozeCallbackId);
    expect(blockKitProblems(view.blocks as never, "modal")).toEqual([]);
    const day = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
    expect(JSON.parse(await submitPicked(view, day(-2)))).toEqual({
      response_action: "errors",
      errors: {
        [scheduleFields.date]:
          "That snooze would end in the past (or in under 5 minutes): pick a later time, such as 1 hour or tomorrow morning.",
      },
    });
    expect(JSON.parse(await submitPicked(view, day(40))).errors[scheduleFields.date]).toBe(
      "A snooze lasts at most 30 days: pick an earlier time, or skip the lead with a reason instead.",
    );
    expect(await liveClaims()).toMatchObject([{ leadId: dee.id, status: "offered" }]);
    expect(await submitPicked(view, day(2))).toBe("");
    await eventually(() => card()!.text.includes("· 3 snoozed"), "Dee snoozed");
    const deeSkip = await t.app.deps.db.queueSkip.findFirst({ where: { leadId: dee.id } });
    expect(deeSkip).toMatchObject({ reason: "snooze" });
    expect(deeSkip!.until!.toISOString().slice(0, 10)).toBe(day(2));
    await press(ids.queue.stopAction);
  });

  it("App Home: the queues with what is left; Start calling starts the run /call-queue starts; admins New, Edit and Delete through the form; an agent's forged admin click is refused", async () => {
    await command("new Zillow source=zillow", ADMIN);
    await lead("Ann Lee", "+12125550111");
    await lead("Bob Kim", "+12125550112");
    await lead("Dee Referral", "+12125550114", "referral");
    const zillow = (await t.app.deps.db.callQueue.findFirst({ where: { name: "Zillow" } }))!;
    type HomeBlock = Block & { accessory?: { action_id?: string; value?: string } };
    const homeOf = async (user: string) => {
      // Home tabs published by earlier clicks (after a save, a delete) land first.
      await settled(t);
      const before = t.slack.callsTo("views.publish").length;
      await t.app.deps.homeTab.publish(t.ws, user);
      const call = await eventually(
        () =>
          t.slack
            .callsTo("views.publish")
            .slice(before)
            .find((c) => c.args.user_id === user),
        `${user}'s home`,
      );
      const blocks = (call.args.view as { blocks: HomeBlock[] }).blocks;
      expect(blockKitProblems(blocks, "home")).toEqual([]);
      return blocks;
    };
    const actionsIn = (blocks: HomeBlock[]) => [
      ...blocks.map((b) => b.accessory?.action_id),
      ...blocks.flatMap((b) => (b.elements ?? []).map((e) => e.action_id)),
    ];
    const click = (user: string, actionId: string, value: string) =>
      t.interact(buttonClick({ userId: user, actionId, value, channel: DM, responseUrl: t.slack.responseUrl() }));

    // The agent's Home: the queue, what is left in it (Dee is another source), Start calling; no admin buttons.
    const agentHome = await homeOf(AGENT);
    const row = agentHome.find((b) => b.text?.text.startsWith("*Zillow*"))!;
    expect(row.text!.text).toBe("*Zillow* · 2 leads left");
    expect(row.accessory).toMatchObject({ action_id: ids.queue.homeStartAction, value: String(zillow.id) });
    expect(actionsIn(agentHome)).not.toContain(ids.queue.homeNewAction);
    expect(actionsIn(agentHome)).not.toContain(ids.queue.homeEditAction);
    expect(actionsIn(agentHome)).not.toContain(ids.queue.homeDeleteAction);

    // Start calling: the same run as /call-queue Zillow (the phone rung once, the card in the DM).
    await click(AGENT, ids.queue.homeStartAction, String(zillow.id));
    const [run] = await eventually(async () => {
      const all = await runs();
      return all[0]?.status === "live" && all;
    }, "the run started from Home");
    expect(run).toMatchObject({ queueId: zillow.id, agentId: AGENT });
    expect(creates()).toHaveLength(1);
    await eventually(() => cardWords().includes("Ann Lee"), "Ann on the card");
    await eventually(() => told().some((text) => text.includes("Ringing your phone for queue run")), "told");
    const working = await homeOf(AGENT);
    expect(working.find((b) => b.text?.text.startsWith("*Zillow*"))!.text!.text).toContain("you are working it");
    expect(actionsIn(working)).not.toContain(ids.queue.homeStartAction);
    const publishedBeforeStop = t.slack.callsTo("views.publish").length;
    await press(ids.queue.stopAction);
    await eventually(async () => (await runs())[0]?.status === "ended", "the run to end");
    // The run's end redraws the agent's Home by itself (once): Start calling is offered again.
    await settled(t);
    const redrawn = t.slack
      .callsTo("views.publish")
      .slice(publishedBeforeStop)
      .filter((c) => c.args.user_id === AGENT);
    expect(redrawn).toHaveLength(1);
    expect(actionsIn((redrawn[0]!.args.view as { blocks: HomeBlock[] }).blocks)).toContain(ids.queue.homeStartAction);

    // An agent's forged admin clicks: refused in words, nothing opened or deleted.
    const opens = t.slack.callsTo("views.open").length;
    await click(AGENT, ids.queue.homeDeleteAction, String(zillow.id));
    await click(AGENT, ids.queue.homeNewAction, "new");
    await eventually(
      () =>
        told().filter((text) => text.includes("Only Leadline admins can create, change or delete call queues"))
          .length === 2,
      "the agent refused twice",
    );
    expect(t.slack.callsTo("views.open")).toHaveLength(opens);
    expect(await t.app.deps.db.callQueue.count({ where: { deletedAt: null } })).toBe(1);

    // The admin: New queue opens the form; a bad state is refused beside its field; fixed, it saves.
    const adminHome = await homeOf(ADMIN);
    expect(actionsIn(adminHome)).toEqual(
      expect.arrayContaining([ids.queue.homeNewAction, ids.queue.homeEditAction, ids.queue.homeDeleteAction]),
    );
    await click(ADMIN, ids.queue.homeNewAction, "new");
    const form = await eventually(() => t.slack.callsTo("views.open").at(opens), "the new-queue form");
    const view = form.args.view as Record<string, unknown>;
    expect(view.callback_id).toBe(ids.queue.modalCallbackId);
    expect(blockKitProblems(view.blocks as never, "modal")).toEqual([]);
    const values = {
      [queueFields.name]: "Florida callbacks",
      [queueFields.state]: "Florida",
      [queueFields.orderBy]: "callbacks",
      [queueFields.recallGapMin]: "30",
      [queueFields.maxAttempts]: "3",
      [queueFields.flags]: "callbackDue",
      [queueFields.removeOutcomes]: "wrong_number",
    };
    const refused = await t.interact(viewSubmission(view, ADMIN, values));
    expect(await refused.json()).toEqual({
      response_action: "errors",
      errors: { [queueFields.state]: "The state must be a two-letter code such as FL." },
    });
    const saved = await t.interact(viewSubmission(view, ADMIN, { ...values, [queueFields.state]: "fl" }));
    expect(saved.status).toBe(200);
    expect(await saved.text()).toBe("");
    const florida = (await t.app.deps.db.callQueue.findFirst({ where: { name: "Florida callbacks" } }))!;
    expect(florida).toMatchObject({
      recallGapMin: 30,
      maxAttempts: 3,
      orderBy: "callbacks",
      removeOutcomes: "do_not_call,wrong_number",
      autoAdvanceSec: null,
    });
    expect(JSON.parse(florida.filter)).toEqual({ state: "FL", callbackDue: true });

    // Edit opens the form on the queue as saved; a save changes what the form says.
    await click(ADMIN, ids.queue.homeEditAction, String(florida.id));
    const editForm = await eventually(() => t.slack.callsTo("views.open").at(opens + 1), "the edit form");
    const editView = editForm.args.view as Record<string, unknown>;
    expect(JSON.stringify(editView)).toContain('"initial_value":"Florida callbacks"');
    const edited = await t.interact(
      viewSubmission(editView, ADMIN, {
        ...values,
        [queueFields.name]: "FL callbacks",
        [queueFields.state]: "FL",
        [queueFields.autoAdvanceSec]: "10",
      }),
    );
    expect(await edited.text()).toBe("");
    expect(await t.app.deps.db.callQueue.findUnique({ where: { id: florida.id } })).toMatchObject({
      name: "FL callbacks",
      autoAdvanceSec: 10,
    });

    // Delete: the queue goes from Home (its numbers stay).
    await click(ADMIN, ids.queue.homeDeleteAction, String(florida.id));
    await eventually(
      async () => (await t.app.deps.db.callQueue.findUnique({ where: { id: florida.id } }))?.deletedAt,
      "the queue deleted",
    );
    expect(JSON.stringify(await homeOf(ADMIN))).not.toContain("FL callbacks");

    // Many queues: the first eight by name, and how many more.
    for (let i = 0; i < 11; i += 1) await command(`new Q${String(i).padStart(2, "0")}`, ADMIN);
    const crowded = await homeOf(ADMIN);
    expect(crowded.filter((b) => b.accessory?.action_id === ids.queue.homeStartAction)).toHaveLength(8);
    expect(JSON.stringify(crowded)).toContain("*Call queues* (12)");
    expect(JSON.stringify(crowded)).toContain("…and 4 more: `/call-queue list` lists them all.");
    await settled(t);
  }, 40_000);

  it("hostile names and filters get a clear refusal; a hostile value is only ever a parameter", async () => {
    expect(await command("new <!channel> calls", ADMIN)).toContain("may not contain");
    expect(await command(`new ${"x".repeat(61)}`, ADMIN)).toContain("longer than 60 characters");
    expect(await command("new Status", ADMIN)).toContain("/call-queue word");
    expect(await command("new Q state=Florida", ADMIN)).toContain("two-letter code");
    expect(await command("new Q order=random", ADMIN)).toContain("orderBy");
    expect(await command("new Q gap=-5", ADMIN)).toContain("whole number");
    expect(await command("new Q colour=red", ADMIN)).toContain('"colour=" is not a queue setting');
    expect(await command("new Q source=zillow", AGENT)).not.toContain("created");
    expect(await t.app.deps.db.callQueue.count()).toBe(0);

    await lead("Ann Lee", "+12125550111");
    expect(await command(`new Q source="x' OR '1'='1" owner=<@U0ANN01|ann>`, ADMIN)).toContain("created");
    expect(await command(`Q`)).toContain("Ringing your phone");
    await eventually(() => cardWords().includes("No lead to offer right now"), "an empty queue, not every lead");
    expect(await t.app.deps.db.lead.count()).toBe(1);
    expect(await t.app.deps.db.queueClaim.count()).toBe(0);
    expect(await command("nosuchqueue")).toContain('There is no queue named "nosuchqueue"');
    await press(ids.queue.stopAction);
  });
});
