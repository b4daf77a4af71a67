import { mkdirSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { blockKitProblems } from "../../sandbox/slack/block-kit/index.js";
import { ids, leadFields } from "../../src/lib/ids.js";
import { createCallPostStore } from "../../src/services/calls/post-store.js";
import { EXPORT_COLUMNS, parseStatsRange } from "../../src/services/stats/stats-service.js";
import { CHART_SIZE } from "../../src/views/charts/render.js";
import { editLeadModal } from "../../src/views/lead-modals.js";
import {
  CALLING_TIME,
  CHANNEL,
  eventually,
  freshStart,
  SIGNING_SECRET,
  settled,
  startTestApp,
  type TestApp,
} from "../helpers/app.js";
import type { FakeAccount } from "../helpers/fake-twilio.js";
import { buttonClick, viewSubmission } from "../helpers/payloads.js";
import { decodePng } from "../helpers/png.js";
import { slackSignature } from "../helpers/signing.js";

// After the call: one-tap outcomes, History and Edit, App Home and /call-stats with its chart and CSV.

const PUBLIC = "https://leadline.example.com";
const MARIA = "U0MARIA01";
const SAM = "U0SAM0001";
const ADMIN = "U0ADMIN01";
const FROM = "+15005550006";
const AGENT_PHONE = "+12125550199";

let t: TestApp;
let seq = 0;

const lead = (name: string, phone: string) => t.app.deps.leads.create(t.ws, { name, phone, author: "seed" });

/** A finished call, as if placed and ended: its line posted in the channel. */
async function endedCall(
  leadId: number,
  data: Partial<{
    placedBy: string;
    status: string;
    durationSec: number;
    answeredBy: string | null;
    price: string;
    outcome: string;
    createdAt: Date;
    mode: string;
    /** null: Twilio refused the call (no SID). */
    twilioSid: string | null;
    /** A live call whose lead's leg was never dialled (the agent did not answer or press a key). */
    leadNotDialled: boolean;
  }> = {},
) {
  seq += 1;
  const mode = data.mode ?? "live";
  const call = await t.app.deps.db.call.create({
    data: {
      workspaceId: t.ws,
      leadId,
      mode,
      fromNumber: FROM,
      toNumber: "+13125550100",
      twilioSid: data.twilioSid === undefined ? `CA${String(seq).padStart(32, "0")}` : data.twilioSid,
      leadLegSid: mode === "live" && !data.leadNotDialled ? `CA${String(seq).padStart(32, "1")}` : null,
      status: data.status ?? "completed",
      durationSec: data.durationSec ?? 60,
      answeredBy: data.answeredBy === undefined ? null : data.answeredBy,
      price: data.price ?? null,
      priceUnit: data.price ? "USD" : null,
      outcome: data.outcome ?? null,
      placedBy: data.placedBy ?? MARIA,
      createdAt: data.createdAt ?? new Date(),
      endedAt: new Date(),
      slackChannel: CHANNEL,
      slackTs: `1760000${String(seq).padStart(3, "0")}.000100`,
      postState: "posted",
    },
  });
  return call;
}

const tap = (callId: number, outcome: string, user = MARIA) =>
  t.interact(
    buttonClick({
      userId: user,
      actionId: `${ids.outcome.actionPrefix}${outcome}`,
      value: String(callId),
      channel: CHANNEL,
      messageTs: "1760000000.000100",
      responseUrl: t.slack.responseUrl(),
    }),
  );
/** "Change to…" on a call with an outcome: the overflow menu, a deliberate change. */
const change = (callId: number, outcome: string, user = MARIA) => {
  const click = buttonClick({
    userId: user,
    actionId: ids.outcome.changeAction,
    value: "",
    channel: CHANNEL,
    messageTs: "1760000000.000100",
    responseUrl: t.slack.responseUrl(),
  });
  click.actions = [
    {
      type: "overflow",
      action_id: ids.outcome.changeAction,
      block_id: "b",
      selected_option: { value: `${callId}:${outcome}` },
    },
  ];
  return t.interact(click);
};
const notesOf = async (leadId: number) =>
  (await t.app.deps.db.note.findMany({ where: { leadId }, orderBy: { id: "asc" } })).map((n) => n.body);

beforeAll(async () => {
  t = await startTestApp({
    env: { PUBLIC_BASE_URL: PUBLIC, ADMIN_SLACK_USER_IDS: ADMIN },
    scheduleEvery: "0 0 0 1 1 *",
  });
  for (const [id, name] of [
    [MARIA, "maria"],
    [SAM, "sam"],
    [ADMIN, "ada"],
  ] as const)
    t.slack.users.set(id, { id, name, tz: "America/New_York" });
});
afterAll(async () => {
  await t.stop();
});
let account: FakeAccount;
beforeEach(async () => {
  account = await freshStart(t, {
    tables: ["call", "note", "lead", "dncEntry", "auditLog"],
    from: FROM,
    agentPhone: AGENT_PHONE,
    admin: ADMIN,
  });
});

describe("outcomes", () => {
  it("a finished call's line offers the six outcomes; one tap stores, notes, updates the line and removes them", async () => {
    const jane = await lead("Jane Doe", "+13125550100");
    const call = await endedCall(jane.id);
    const line = (await createCallPostStore(t.app.deps.database).post(call.id))!;
    const { callPostMessage } = await import("../../src/views/call-message.js");
    const before = JSON.stringify(callPostMessage(line).blocks);
    for (const kind of ["interested", "appointment", "callback", "not_interested", "wrong_number", "do_not_call"])
      expect(before).toContain(`${ids.outcome.actionPrefix}${kind}`);

    expect((await tap(call.id, "appointment")).status).toBe(200);
    await eventually(
      async () => (await t.app.deps.db.call.findUniqueOrThrow({ where: { id: call.id } })).outcome,
      "stored",
    );
    expect(await t.app.deps.db.call.findUniqueOrThrow({ where: { id: call.id } })).toMatchObject({
      outcome: "appointment",
      outcomeBy: MARIA,
    });
    expect((await notesOf(jane.id)).at(-1)).toBe(`[Outcome] Appointment set - by @maria - Call SID: ${call.twilioSid}`);
    const update = await eventually(
      () =>
        t.slack
          .callsTo("chat.update")
          .find((c) => JSON.stringify(c.args.blocks).includes("Outcome: *Appointment set*")),
      "line updated",
    );
    expect(JSON.stringify(update.args.blocks)).not.toContain(`${ids.outcome.actionPrefix}interested`);

    // Another agent's tap does not record a second time.
    await tap(call.id, "not_interested", SAM);
    await eventually(() => t.slack.responses.some((r) => String(r.body.text).includes("already recorded")), "told");
    expect((await t.app.deps.db.call.findUniqueOrThrow({ where: { id: call.id } })).outcome).toBe("appointment");
    expect((await notesOf(jane.id)).filter((n) => n.startsWith("[Outcome]"))).toHaveLength(1);

    // The caller's own stale tap does not replace it either (the first tap wins), and says so.
    const told = t.slack.responses.length;
    await tap(call.id, "interested");
    await eventually(
      () => t.slack.responses.slice(told).some((r) => String(r.body.text).includes("already recorded")),
      "told the caller",
    );
    expect((await t.app.deps.db.call.findUniqueOrThrow({ where: { id: call.id } })).outcome).toBe("appointment");

    // The caller changes it on purpose (Change to…): audited.
    await change(call.id, "interested");
    await eventually(
      async () => (await t.app.deps.db.call.findUniqueOrThrow({ where: { id: call.id } })).outcome === "interested",
      "changed",
    );
    const audit = await t.app.deps.db.auditLog.findFirstOrThrow({ where: { action: "call.outcome_changed" } });
    expect(JSON.parse(audit.detail)).toMatchObject({ outcome: "interested", previous: "appointment" });
  });

  it("two taps at once record one outcome", async () => {
    const jane = await lead("Jane Doe", "+13125550100");
    const call = await endedCall(jane.id);
    await Promise.all([tap(call.id, "interested", MARIA), tap(call.id, "not_interested", SAM)]);
    await eventually(
      async () => (await t.app.deps.db.call.findUniqueOrThrow({ where: { id: call.id } })).outcome,
      "one",
    );
    await settled(t);
    expect((await notesOf(jane.id)).filter((n) => n.startsWith("[Outcome]"))).toHaveLength(1);
  });

  it("Do not call lists the number; Wrong number asks for a new one before the next call", async () => {
    const jane = await lead("Jane Doe", "+13125550100");
    await tap((await endedCall(jane.id)).id, "do_not_call");
    await eventually(async () => (await t.app.deps.dnc.check(t.ws, "+13125550100")).entry, "listed");
    expect((await t.app.deps.dnc.check(t.ws, "+13125550100")).entry?.source).toBe("outcome");

    const bob = await lead("Bob Wrong", "+13125550101");
    const call = await t.app.deps.db.call.update({
      where: { id: (await endedCall(bob.id)).id },
      data: { toNumber: "+13125550101" },
    });
    await tap(call.id, "wrong_number");
    await eventually(async () => (await t.app.deps.leads.get(t.ws, bob.id))?.phoneWrongAt, "marked wrong");
    await t.interact(
      buttonClick({
        userId: MARIA,
        actionId: ids.call.liveAction,
        value: String(bob.id),
        channel: CHANNEL,
        messageTs: "1760000000.000100",
        responseUrl: t.slack.responseUrl(),
      }),
    );
    const refusal = await eventually(
      () => t.slack.responses.find((r) => String(r.body.text).includes("marked as a wrong number")),
      "asks for a new number",
    );
    expect(JSON.stringify(refusal.body.blocks)).toContain(ids.lead.phoneAction);
    expect(t.twilio.creates()).toHaveLength(0);
  });
});

describe("History and Edit", () => {
  it("History pages through 200 notes within Block Kit's limits", async () => {
    const jane = await lead("Jane Doe", "+13125550100");
    await t.app.deps.db.note.createMany({
      data: Array.from({ length: 200 }, (_, i) => ({
        leadId: jane.id,
        author: MARIA,
        body: `Note ${i} ${"x".repeat(2500)}`,
        createdAt: new Date(CALLING_TIME.getTime() + i * 60_000),
      })),
    });
    await endedCall(jane.id);
    await t.interact(
      buttonClick({
        userId: MARIA,
        actionId: ids.lead.historyAction,
        value: String(jane.id),
        channel: CHANNEL,
        messageTs: "1760000000.000100",
        responseUrl: t.slack.responseUrl(),
      }),
    );
    const opened = await eventually(() => t.slack.callsTo("views.open").at(-1), "history opened");
    const view = opened.args.view as { blocks: unknown[]; private_metadata: string };
    expect(blockKitProblems(view.blocks, "modal")).toEqual([]);
    expect(JSON.stringify(view.blocks)).toContain("201 entries");
    expect(JSON.stringify(view.blocks)).toContain("Page 1 of 6");
    // Newest first: the call (now) before note 199.
    expect(JSON.stringify(view.blocks).indexOf("Call SID")).toBeLessThan(
      JSON.stringify(view.blocks).indexOf("Note 199"),
    );
    const { historyModal, historyItems } = await import("../../src/views/history.js");
    const detail = (await t.app.deps.leads.detail(t.ws, jane.id))!;
    for (let page = 0; page < 6; page += 1) {
      const modal = historyModal(detail, historyItems(detail.notes, detail.calls), page, { privateMetadata: "{}" });
      expect(blockKitProblems(modal.blocks, "modal")).toEqual([]);
    }
  });

  it("Edit of a phone is audited and noted, and the next call uses the new number", async () => {
    const jane = await lead("Jane Doe", "+13125550100");
    const res = await t.interact(
      viewSubmission(
        editLeadModal(
          (await t.app.deps.leads.get(t.ws, jane.id))!,
          JSON.stringify({ channel: CHANNEL, leadId: jane.id, shownPhone: "+13125550100" }),
        ) as unknown as Record<string, unknown>,
        MARIA,
        {
          [leadFields.name]: "Jane Q. Doe",
          [leadFields.phone]: "(312) 555-0177",
          [leadFields.email]: "jane@example.com",
          [leadFields.state]: "IL",
        },
      ),
    );
    expect(res.status).toBe(200);
    const saved = (await t.app.deps.leads.get(t.ws, jane.id))!;
    expect(saved).toMatchObject({ name: "Jane Q. Doe", phone: "+13125550177", email: "jane@example.com", state: "IL" });
    const audits = (await t.app.deps.db.auditLog.findMany()).map((a) => a.action);
    expect(audits).toEqual(expect.arrayContaining(["lead.phone_changed", "lead.edited"]));
    expect((await notesOf(jane.id)).join("\n")).toContain("[Phone] Changed from +13125550100 to +13125550177");
    await t.interact(
      buttonClick({
        userId: MARIA,
        actionId: ids.call.liveAction,
        value: String(jane.id),
        channel: CHANNEL,
        messageTs: "1760000000.000100",
        responseUrl: t.slack.responseUrl(),
      }),
    );
    await eventually(() => t.twilio.creates()[0], "call");
    // The live call dials the lead once the agent presses a key: the number it dials is the new one.
    const call = await eventually(
      async () =>
        (await t.app.deps.db.call.findFirst({ where: { leadId: jane.id, twilioSid: { not: null } } })) ?? undefined,
      "the call placed",
    );
    expect(call.toNumber).toBe("+13125550177");
    const pressed = await t.signedTwilio(
      `/twilio/voice/live-accept?call=${call.id}&ws=${t.ws}`,
      { CallSid: call.twilioSid!, AccountSid: account.sid, Digits: "1" },
      account.token,
    );
    expect(await pressed.text()).toContain("+13125550177</Number>");
  });

  it("Edit refuses a bad email and a taken phone, naming the field; nothing changes", async () => {
    const jane = await lead("Jane Doe", "+13125550100");
    await lead("Other", "+13125550111");
    const res = await t.interact(
      viewSubmission(
        editLeadModal(jane, JSON.stringify({ leadId: jane.id, shownPhone: "+13125550100" })) as unknown as Record<
          string,
          unknown
        >,
        MARIA,
        { [leadFields.name]: "Jane", [leadFields.phone]: "+13125550111", [leadFields.email]: "not-an-email" },
      ),
    );
    const body = (await res.json()) as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe("errors");
    expect(body.errors, JSON.stringify(body)).toHaveProperty(leadFields.email);
    expect(body.errors[leadFields.email]).toContain("is not an email address");
    expect((await t.app.deps.leads.get(t.ws, jane.id))?.name).toBe("Jane Doe");
  });
});

describe("stats, App Home and the chart", () => {
  /** A small seed with hand-counted answers: two agents, this week (Tue–Thu of the CALLING_TIME week). */
  async function seedWeek() {
    const a = await lead("A Lead", "+13125550100");
    const b = await lead("B Lead", "+13125550101");
    const day = (d: number, h = 15) => new Date(Date.UTC(2026, 10, 23 + d, h, 0, 0));
    // Maria: 3 calls, 2 connected (60 s + 120 s), one machine; cost 0.02 + 0.03.
    await endedCall(a.id, { createdAt: day(1), durationSec: 60, price: "-0.02", outcome: "interested" });
    await endedCall(a.id, { createdAt: day(2), durationSec: 120, price: "-0.03", outcome: "appointment" });
    await endedCall(b.id, { createdAt: day(2), durationSec: 30, answeredBy: "machine_end_beep" });
    // Sam: 2 calls, 1 connected (90 s), one no-answer; cost 0.01.
    await endedCall(b.id, { placedBy: SAM, createdAt: day(1), durationSec: 90, price: "-0.01" });
    await endedCall(b.id, { placedBy: SAM, createdAt: day(3), status: "no-answer", durationSec: 0 });
    // Outside the range: last week.
    await endedCall(a.id, { createdAt: new Date(Date.UTC(2026, 10, 20, 15)) });
  }

  it("/call-stats for a range: the numbers equal a hand count; the chart is a PNG of the expected size; the CSV round-trips", async () => {
    await seedWeek();
    const res = await t.command("/call-stats", "2026-11-23..2026-11-29 export", ADMIN);
    const body = (await res.json()) as { text: string; blocks: unknown[] };
    expect(body.text).toBe(
      "Call stats, 2026-11-23 – 2026-11-29: 5 calls, 3 connected (60%), talk time 4m 30s, cost $0.06.",
    );
    const text = JSON.stringify(body.blocks);
    expect(text).toContain("Outcomes · Interested: 1 · Appointment set: 1");
    expect(text).toContain(`<@${MARIA}> · 3 calls · 2 connected (67%) · 3m 00s`);
    expect(text).toContain(`<@${SAM}> · 2 calls · 1 connected (50%) · 1m 30s`);
    const uploads = await eventually(
      () => {
        const done = t.slack.callsTo("files.completeUploadExternal");
        return done.length >= 2 ? done : undefined;
        // The first chart starts the chart thread and loads its engines: seconds on a busy machine.
      },
      "chart and CSV uploaded",
      30_000,
    );
    expect(uploads).toHaveLength(2);
    // Private: both files go to the asker's DM with the bot, never to the channel the command ran in.
    const dm = `D${ADMIN.slice(1)}`;
    expect(t.slack.callsTo("conversations.open").map((c) => c.args.users)).toEqual([ADMIN]);
    expect(uploads.map((c) => c.args.channel_id)).toEqual([dm, dm]);
    const withFiles = t.slack.sim.workspace.messages.filter((m) => m.files?.length);
    expect(withFiles.map((m) => m.channel)).toEqual([dm, dm]);
    expect(withFiles.filter((m) => m.files!.some((f) => f.name.endsWith(".png")))).toHaveLength(1);
    expect(text).toContain("only you see it");
    const files = [...t.slack.sim.workspace.files.values()];
    const png = files.find((f) => f.name.endsWith(".png"))!;
    expect(png.bytes.subarray(1, 4).toString("latin1")).toBe("PNG");
    expect(png.bytes.readUInt32BE(16)).toBe(CHART_SIZE.width);
    expect(png.bytes.readUInt32BE(20)).toBe(CHART_SIZE.height);
    const csv = files.find((f) => f.name.endsWith(".csv"))!.bytes.toString("utf8");
    const rows = csv
      .trim()
      .split("\r\n")
      .map((line) => line.split(","));
    expect(rows[0]).toEqual(EXPORT_COLUMNS);
    expect(rows).toHaveLength(6);
    // Cost as the summary shows it (money spent, positive), names beside the ids, times in the asker's zone beside ISO.
    const column = (name: (typeof EXPORT_COLUMNS)[number]) =>
      rows.slice(1).map((row) => row[EXPORT_COLUMNS.indexOf(name)]);
    expect(column("cost").sort()).toEqual(["", "", "0.01", "0.02", "0.03"]);
    expect(new Set(column("agentName"))).toEqual(new Set(["maria", "sam"]));
    expect(new Set(column("agentId"))).toEqual(new Set([MARIA, SAM]));
    expect(new Set(column("zone"))).toEqual(new Set(["America/New_York"]));
    expect(column("createdAt")[0]).toBe("2026-11-24T15:00:00.000Z");
    expect(column("createdAtLocal")[0]).toBe("2026-11-24 10:00:00");
    expect(new Set(column("placed"))).toEqual(new Set(["true"]));
  });

  it("/call-stats counts only calls placed: a refusal and a live call whose lead was never dialled are not; one call is '1 call'", async () => {
    t.slack.sim.workspace.files.clear();
    const a = await lead("A Lead", "+13125550100");
    const day = new Date(Date.UTC(2026, 10, 24, 15, 0, 0));
    await endedCall(a.id, { createdAt: day, durationSec: 45, price: "-0.02" });
    await endedCall(a.id, { createdAt: day, status: "failed", durationSec: 0, twilioSid: null });
    await endedCall(a.id, { createdAt: day, status: "completed", durationSec: 20, leadNotDialled: true });
    const res = await t.command("/call-stats", "2026-11-24 export", ADMIN);
    const body = (await res.json()) as { text: string; blocks: unknown[] };
    expect(body.text).toBe("Call stats, 2026-11-24: 1 call, 1 connected (100%), talk time 45s, cost $0.02.");
    expect(JSON.stringify(body.blocks)).toContain(`<@${MARIA}> · 1 call · 1 connected (100%) · 45s`);
    const csvFile = await eventually(
      () => [...t.slack.sim.workspace.files.values()].find((f) => f.name.endsWith(".csv") && f.bytes.length > 0),
      "the CSV",
      30_000,
    );
    const rows = csvFile.bytes.toString("utf8").trim().split("\r\n").slice(1);
    // Every call is in the export, each saying whether it counts as placed.
    expect(rows.map((row) => row.split(",")[EXPORT_COLUMNS.indexOf("placed")]).sort()).toEqual([
      "false",
      "false",
      "true",
    ]);
  });

  it("an agent sees their own numbers only; a bad range says what is accepted", async () => {
    await seedWeek();
    const mine = (await (await t.command("/call-stats", "2026-11-23..2026-11-29", SAM)).json()) as {
      text: string;
      blocks: unknown[];
    };
    expect(mine.text).toContain("2 calls, 1 connected (50%)");
    expect(JSON.stringify(mine.blocks)).toContain("the team's numbers are for Leadline admins");
    const bad = (await (await t.command("/call-stats", "last tuesday", MARIA)).json()) as { text: string };
    expect(bad.text).toContain("is not a range /call-stats reads");
  });

  it("App Home publishes for an agent and for an admin with the right numbers", async () => {
    await seedWeek();
    const event = (user: string) => ({
      token: "x",
      team_id: "T0LEADLINE",
      api_app_id: "A0LEADLINE",
      type: "event_callback",
      event_id: `Ev${Date.now()}${user}`,
      event_time: Math.floor(Date.now() / 1000),
      event: { type: "app_home_opened", user, channel: "D0HOME", tab: "home", event_ts: "1.2" },
    });
    const postEvent = (user: string) => {
      const body = JSON.stringify(event(user));
      const ts = Math.floor(Date.now() / 1000);
      return t.post("/slack/events", body, {
        "content-type": "application/json",
        "x-slack-request-timestamp": String(ts),
        "x-slack-signature": slackSignature(SIGNING_SECRET, ts, body),
      });
    };
    // The home shows the week containing the app's real "now"; seed-independent checks first.
    await postEvent(SAM);
    const samHome = await eventually(
      () => t.slack.callsTo("views.publish").find((c) => c.args.user_id === SAM),
      "Sam's home",
    );
    const samText = JSON.stringify(samHome.args.view);
    expect(samText).toContain("Your calls");
    expect(samText).toContain("Leads waiting for a callback");
    expect(samText).not.toContain("The team (admins)");
    expect(blockKitProblems((samHome.args.view as { blocks: unknown[] }).blocks, "modal")).toEqual([]);
    await postEvent(ADMIN);
    const adminHome = await eventually(
      () => t.slack.callsTo("views.publish").find((c) => c.args.user_id === ADMIN),
      "admin's home",
    );
    const adminText = JSON.stringify(adminHome.args.view);
    expect(adminText).toContain("The team (admins)");
    expect(adminText).toContain("Calls blocked by calling law today");
    expect(adminText).toContain("/charts/home.png?");
  });

  it("App Home's numbers: waiting leads by their latest call, and an admin's own numbers inside the team's", async () => {
    const now = new Date(Date.UTC(2026, 10, 26, 18, 0, 0));
    const at = (hoursAgo: number) => new Date(now.getTime() - hoursAgo * 3_600_000);
    const noAnswer = await lead("No Answer", "+13125550110");
    const answeredLater = await lead("Answered Later", "+13125550111");
    const callBack = await lead("Call Back", "+13125550112");
    const busyByOther = await lead("Busy By Other", "+13125550113");
    const longAgo = await lead("Long Ago", "+13125550114");
    const machine = await lead("Machine", "+13125550115");
    await endedCall(noAnswer.id, { placedBy: SAM, status: "no-answer", durationSec: 0, createdAt: at(5) });
    await endedCall(answeredLater.id, { placedBy: SAM, status: "no-answer", durationSec: 0, createdAt: at(30) });
    await endedCall(answeredLater.id, { placedBy: MARIA, createdAt: at(2) });
    await endedCall(callBack.id, { placedBy: SAM, createdAt: at(3), outcome: "callback" });
    await endedCall(busyByOther.id, { placedBy: SAM, createdAt: at(50) });
    await endedCall(busyByOther.id, { placedBy: MARIA, status: "busy", durationSec: 0, createdAt: at(1) });
    await endedCall(longAgo.id, { placedBy: SAM, status: "no-answer", durationSec: 0, createdAt: at(24 * 20) });
    await endedCall(machine.id, { placedBy: SAM, createdAt: at(4), answeredBy: "machine_start" });
    const sam = await t.app.deps.home.data(t.ws, SAM, { admin: false, zone: "UTC", now });
    // Newest latest call first; answered later, called only long ago, or answered by a machine: not waiting.
    expect(sam.waiting.map((w) => [w.lead.name, w.why])).toEqual([
      ["Busy By Other", "busy"],
      ["Call Back", "callback"],
      ["No Answer", "no_answer"],
    ]);
    expect(sam.mine.today.totals).toEqual({ placed: 3, connected: 1, talkSec: 60 });
    // An admin who also calls: their own numbers are their share of the team's, counted once.
    const maria = await t.app.deps.home.data(t.ws, MARIA, { admin: true, zone: "UTC", now });
    expect(maria.mine.today.totals).toEqual({ placed: 2, connected: 1, talkSec: 60 });
    expect(maria.team?.today.totals).toEqual({ placed: 5, connected: 2, talkSec: 120 });
    const week = await t.app.deps.stats.stats(t.ws, parseStatsRange("week", now, "UTC"), MARIA);
    expect(maria.mine.week.totals).toEqual(week.totals);
  });

  it("the chart renders with non-blank pixels (saved under test/artifacts/)", async () => {
    const { renderDailyChart } = await import("../../src/views/charts/specs.js");
    const chart = await renderDailyChart({
      title: "Calls and connects per day, test",
      days: Array.from({ length: 14 }, (_, i) => ({
        day: `2026-11-${String(10 + i).padStart(2, "0")}`,
        calls: 5 + (i % 4) * 3,
        connected: 2 + (i % 3),
      })),
    });
    mkdirSync("test/artifacts", { recursive: true });
    writeFileSync("test/artifacts/call-stats-chart.png", chart.png);
    // Decode: count pixels that are not the (white) background.
    const decoded = decodePng(chart.png);
    expect(decoded.width).toBe(CHART_SIZE.width);
    let ink = 0;
    for (let i = 0; i < decoded.pixels.length; i += 4) {
      const [r, g, b] = [decoded.pixels[i]!, decoded.pixels[i + 1]!, decoded.pixels[i + 2]!];
      if (r < 200 || g < 200 || b < 200) ink += 1;
    }
    expect(ink / (decoded.width * decoded.height)).toBeGreaterThan(0.01);
  });
});
