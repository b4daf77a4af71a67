import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ids } from "../../src/lib/ids.js";
import { originKeyOf } from "../../src/services/scheduling/schedule-store.js";
import { CALLING_TIME, CHANNEL, eventually, freshStart, settled, startTestApp, type TestApp } from "../helpers/app.js";
import { buttonClick } from "../helpers/payloads.js";

// Scheduled calls with an injected clock: the test calls the scheduler's tick at chosen instants
// (the node-cron tick calls the same function with the real time).

const PUBLIC = "https://leadline.example.com";
const AGENT = "U0MARIA01";
const FROM = "+15005550006";
const AGENT_PHONE = "+12125550199";

let t: TestApp;
let callingTime = CALLING_TIME;

const minutes = (n: number) => n * 60_000;
/** What reached the agent outside a response_url (ephemeral messages, DMs). */
const notices = () =>
  [...t.slack.callsTo("chat.postEphemeral"), ...t.slack.callsTo("chat.postMessage")].map((c) => String(c.args.text));
const lead = (name: string, phone: string, extra: { state?: string } = {}) =>
  t.app.deps.leads.create(t.ws, { name, phone, author: "seed", ...extra });
const book = (leadId: number, at: Date) =>
  t.app.deps.scheduler.book({ ws: t.ws, leadId, agentId: AGENT, channel: CHANNEL, at, bookedBy: AGENT });

beforeAll(async () => {
  // The node-cron tick is set to once a year: these tests are the only ones to tick, at the times they choose.
  t = await startTestApp({
    env: { PUBLIC_BASE_URL: PUBLIC },
    callingClock: () => callingTime,
    scheduleEvery: "0 0 0 1 1 *",
  });
  t.slack.users.set(AGENT, { id: AGENT, name: "maria", tz: "America/New_York" });
});
afterAll(async () => {
  await t.stop();
});
beforeEach(async () => {
  callingTime = CALLING_TIME;
  await freshStart(t, {
    tables: ["scheduledCall", "call", "lead", "dncEntry"],
    from: FROM,
    agentPhone: AGENT_PHONE,
    admin: "U0ADMIN01",
  });
});

/** A weekday afternoon in New York, some days after the suite's calling time (always in calling hours). */
function weekdayAfternoon(daysAhead: number, hourUtc = 19): Date {
  const at = new Date(CALLING_TIME.getTime() + daysAhead * 86_400_000);
  at.setUTCHours(hourUtc, 0, 0, 0);
  while (at.getUTCDay() === 0 || at.getUTCDay() === 6) at.setUTCDate(at.getUTCDate() + 1);
  return at;
}

describe("booking", () => {
  it("/call-lead Jane at 3pm books a live call and says the time in both zones", async () => {
    await lead("Jane Doe", "+13125550182");
    const body = (await (await t.command("/call-lead", "jane tomorrow 3pm", AGENT)).json()) as {
      text: string;
      blocks: unknown[];
    };
    expect(body.text).toMatch(
      /^Scheduled a live call to Jane Doe for \w{3} \w{3} \d+, 3:00 PM ET your time · 2:00 PM CT their time \(in /,
    );
    expect(JSON.stringify(body.blocks)).toContain('Read \\"tomorrow 3:00 PM\\"');
    const row = await t.app.deps.db.scheduledCall.findFirstOrThrow();
    expect(row).toMatchObject({ status: "scheduled", agentId: AGENT, channel: CHANNEL, attempt: 0 });
    const list = (await (await t.command("/call-lead", "scheduled", AGENT)).json()) as { blocks: unknown[] };
    expect(JSON.stringify(list.blocks)).toContain("Jane Doe");
    expect(JSON.stringify(list.blocks)).toContain(ids.schedule.cancelAction);
  });

  it("a lead with a call already booked: the second booking warns, shows the first, keeps both and offers its Cancel", async () => {
    await lead("Jane Doe", "+13125550182");
    await t.command("/call-lead", "jane tomorrow 3pm", AGENT);
    const first = await t.app.deps.db.scheduledCall.findFirstOrThrow();
    const body = (await (await t.command("/call-lead", "jane tomorrow 5pm", AGENT)).json()) as {
      text: string;
      blocks: { block_id?: string; elements?: { action_id: string; value: string }[] }[];
    };
    const shown = JSON.stringify(body.blocks);
    expect(shown).toMatch(/Jane Doe already had a call scheduled:\* \w{3} \w{3} \d+, 3:00 PM ET your time/);
    expect(shown).toContain(`booked by <@${AGENT}>`);
    expect(shown).toContain("Both are kept and each will be placed");
    expect(await t.app.deps.db.scheduledCall.count({ where: { status: "scheduled" } })).toBe(2);
    const cancel = body.blocks.find((block) => block.block_id === `schedule_other_${first.id}`)!.elements![0]!;
    expect(cancel).toMatchObject({ action_id: ids.schedule.cancelAction, value: String(first.id) });
    await t.interact(
      buttonClick({
        userId: AGENT,
        actionId: cancel.action_id,
        value: cancel.value,
        channel: CHANNEL,
        messageTs: "1.1",
        responseUrl: t.slack.responseUrl(),
      }),
    );
    await eventually(
      async () =>
        (await t.app.deps.db.scheduledCall.findUniqueOrThrow({ where: { id: first.id } })).status === "cancelled",
      "the earlier booking cancelled",
    );
    expect(await t.app.deps.db.scheduledCall.count({ where: { status: "scheduled" } })).toBe(1);
    // A lead with nothing else booked gets no such warning.
    const solo = (await (await t.command("/call-lead", "jane tomorrow 7pm", AGENT)).json()) as { blocks: unknown[] };
    expect(JSON.stringify(solo.blocks)).toContain("already had a call scheduled");
    await t.app.deps.db.scheduledCall.updateMany({ data: { status: "cancelled" } });
    const alone = (await (await t.command("/call-lead", "jane tomorrow 4pm", AGENT)).json()) as { blocks: unknown[] };
    expect(JSON.stringify(alone.blocks)).not.toContain("already had");
  });

  it("an unreadable time says what is accepted; nothing is booked", async () => {
    await lead("Jane Doe", "+13125550182");
    const body = (await (await t.command("/call-lead", "jane at 25pm", AGENT)).json()) as { text: string };
    expect(body.text).toContain("To schedule the call, end the text with a time");
    expect(await t.app.deps.db.scheduledCall.count()).toBe(0);
  });

  it("booking outside calling hours warns and offers the next allowed time", async () => {
    const fl = await lead("Flo Rida", "+13055550142");
    // 20:30 in Miami on a weekday (01:30 UTC the next day).
    const at = weekdayAfternoon(3, 1);
    at.setUTCMinutes(30);
    const result = await book(fl.id, at);
    expect(result.verdict.allowed).toBe(false);
    const { scheduledConfirmation } = await import("../../src/views/schedule.js");
    const message = scheduledConfirmation(result, { agentZone: "America/New_York", now: new Date() });
    expect(JSON.stringify(message.blocks)).toContain("That time is outside what calling law allows");
    expect(JSON.stringify(message.blocks)).toContain(ids.schedule.moveToAction);
  });
});

describe("firing", () => {
  it("fires once at its time, as a live call announced where it was booked", async () => {
    const jane = await lead("Jane Doe", "+13125550182");
    const at = weekdayAfternoon(2);
    const { row } = await book(jane.id, at);
    expect((await t.app.deps.scheduler.tick(new Date(at.getTime() - 1_000))).claimed).toBe(0);
    expect(t.twilio.creates()).toHaveLength(0);
    const fired = await t.app.deps.scheduler.tick(at);
    expect(fired).toMatchObject({ claimed: 1, placed: 1 });
    const creates = t.twilio.creates();
    expect(creates).toHaveLength(1);
    expect(creates[0]!.params.get("To")).toBe(AGENT_PHONE);
    const call = await t.app.deps.db.call.findFirstOrThrow();
    expect(call).toMatchObject({
      mode: "live",
      originKey: originKeyOf(row.id, 1),
      placedBy: AGENT,
      slackChannel: CHANNEL,
    });
    expect(await t.app.deps.db.scheduledCall.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({
      status: "placed",
      callId: call.id,
    });
    // Later ticks, and a clock moved back, never fire it again.
    expect((await t.app.deps.scheduler.tick(new Date(at.getTime() + 15_000))).claimed).toBe(0);
    expect((await t.app.deps.scheduler.tick(new Date(at.getTime() - 60_000))).claimed).toBe(0);
    expect(t.twilio.creates()).toHaveLength(1);
  });

  it("one due at 20:30 for a Florida lead moves to 08:00 the next day and says so", async () => {
    const fl = await lead("Flo Rida", "+13055550142");
    const at = weekdayAfternoon(3, 1);
    at.setUTCMinutes(30);
    const { row } = await book(fl.id, at);
    const fired = await t.app.deps.scheduler.tick(at);
    expect(fired).toMatchObject({ claimed: 1, moved: 1 });
    expect(t.twilio.creates()).toHaveLength(0);
    const moved = await t.app.deps.db.scheduledCall.findUniqueOrThrow({ where: { id: row.id } });
    expect(moved.status).toBe("scheduled");
    // 08:00 in Miami the next morning.
    const expected = new Date(at.getTime());
    expected.setUTCHours(13, 0, 0, 0);
    expect(moved.dueAt.toISOString()).toBe(expected.toISOString());
    await eventually(() => notices().find((text) => text.includes("It moved to")), "agent told");
    expect((await t.app.deps.scheduler.tick(moved.dueAt)).placed).toBe(1);
    expect(t.twilio.creates()).toHaveLength(1);
  });

  it("a number put on the do-not-call list after booking is cancelled, and the agent told", async () => {
    const jane = await lead("Jane Doe", "+13125550182");
    const at = weekdayAfternoon(2);
    const { row } = await book(jane.id, at);
    await t.app.deps.dnc.add(t.ws, "+13125550182", "command", "U0SAM0001");
    expect(await t.app.deps.scheduler.tick(at)).toMatchObject({ claimed: 1, cancelled: 1 });
    expect(t.twilio.creates()).toHaveLength(0);
    expect((await t.app.deps.db.scheduledCall.findUniqueOrThrow({ where: { id: row.id } })).status).toBe("cancelled");
    await eventually(() => notices().find((text) => text.includes("do-not-call list")), "agent told");
  });

  it("overdue by more than 30 minutes (Leadline was down) is reported, not dialled", async () => {
    const jane = await lead("Jane Doe", "+13125550182");
    const at = weekdayAfternoon(2);
    await book(jane.id, at);
    expect(await t.app.deps.scheduler.tick(new Date(at.getTime() + minutes(45)))).toMatchObject({ missed: 1 });
    expect(t.twilio.creates()).toHaveLength(0);
    await eventually(() => notices().find((text) => text.includes("was not placed: Leadline was not running")), "told");
  });

  it("a click and the schedule firing together make one call", async () => {
    const jane = await lead("Jane Doe", "+13125550182");
    const at = weekdayAfternoon(2);
    await book(jane.id, at);
    await Promise.all([
      t.interact(
        buttonClick({
          userId: "U0SAM0001",
          actionId: ids.call.liveAction,
          value: String(jane.id),
          channel: CHANNEL,
          messageTs: "1760000000.000100",
          responseUrl: t.slack.responseUrl(),
        }),
      ),
      t.app.deps.scheduler.tick(at),
    ]);
    await eventually(() => t.twilio.creates().length > 0, "one call");
    await settled(t);
    expect(t.twilio.creates()).toHaveLength(1);
    expect(await t.app.deps.db.call.count({ where: { twilioSid: { not: null } } })).toBe(1);
  });
});

describe("after a crash", () => {
  it("a claim whose call row never heard Twilio's answer is reconciled: Twilio has it → no second dial", async () => {
    const jane = await lead("Jane Doe", "+13125550182");
    const at = weekdayAfternoon(2);
    const { row } = await book(jane.id, at);
    // The first claim fired and Twilio placed the call, but the process died before recording it.
    await t.app.deps.scheduler.tick(at);
    const call = await t.app.deps.db.call.findFirstOrThrow();
    await t.app.deps.db.call.update({ where: { id: call.id }, data: { twilioSid: null, status: "dialing" } });
    await t.app.deps.db.scheduledCall.update({
      where: { id: row.id },
      data: { status: "claimed", leaseUntil: new Date(at.getTime() + 1_000), callId: null },
    });
    const later = new Date(at.getTime() + minutes(5));
    expect(await t.app.deps.scheduler.tick(later)).toMatchObject({ claimed: 1, placed: 1 });
    expect(t.twilio.creates()).toHaveLength(1);
    expect((await t.app.deps.db.call.findUniqueOrThrow({ where: { id: call.id } })).twilioSid).toBe(call.twilioSid);
  });

  it("…Twilio never had it → dialled once, under a new attempt", async () => {
    const jane = await lead("Jane Doe", "+13125550182");
    const at = weekdayAfternoon(2);
    const { row } = await book(jane.id, at);
    await t.app.deps.db.scheduledCall.update({
      where: { id: row.id },
      data: { status: "claimed", attempt: 1, leaseUntil: new Date(at.getTime() + 1_000) },
    });
    // The call row exists (the guard), Twilio was never asked.
    await t.app.deps.db.call.create({
      data: {
        workspaceId: t.ws,
        leadId: jane.id,
        activeLeadId: jane.id,
        mode: "live",
        fromNumber: FROM,
        toNumber: "+13125550182",
        status: "dialing",
        placedBy: AGENT,
        originKey: originKeyOf(row.id, 1),
        createdAt: at,
      },
    });
    expect(await t.app.deps.scheduler.tick(new Date(at.getTime() + minutes(5)))).toMatchObject({
      claimed: 1,
      placed: 1,
    });
    expect(t.twilio.creates()).toHaveLength(1);
    const calls = await t.app.deps.db.call.findMany({ orderBy: { id: "asc" } });
    expect(calls.map((c) => [c.originKey, c.status])).toEqual([
      [originKeyOf(row.id, 1), "failed"],
      [originKeyOf(row.id, 2), "queued"],
    ]);
  });
});
