import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ids, leadFields } from "../../src/lib/ids.js";
import { SlackTokenRejected } from "../../src/services/slack/identity.js";
import { CHANNEL, eventually, startTestApp, type TestApp, withConsent } from "../helpers/app.js";
import { forCall, reference } from "../helpers/callbacks.js";
import { startFakeSlack } from "../helpers/fake-slack.js";
import type { FakeAccount } from "../helpers/fake-twilio.js";
import { buttonClick, viewSubmission } from "../helpers/payloads.js";

const PUBLIC = "https://leadline.example.com";
const AGENT = "U0MARIA01";
const FROM = "+15005550006";
const CARD_TS = "1760000000.000100";

describe("start-up against Slack", () => {
  it("with Slack unreachable: /healthz is 503, signed commands are still answered, and it recovers", async () => {
    const slack = await startFakeSlack();
    slack.failNext.set("auth.test", "internal_error");
    const t = await startTestApp({ slack });
    try {
      const health = await fetch(`${t.url}/healthz`);
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({ ok: false, slack: "unreachable", database: "reachable" });
      expect(t.logs.join("")).toMatch(/Slack is unreachable; Leadline takes requests and keeps trying/);
      const started = Date.now();
      const res = await t.command("/lead", "help");
      expect(res.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(await res.text()).toContain("How to use /lead");
      // The retry (1 s later) finds Slack again.
      await eventually(async () => (await fetch(`${t.url}/healthz`)).status === 200, "healthy again", 5_000);
    } finally {
      await t.stop();
      await slack.close();
    }
  });

  it("with Slack down for good: commands are answered, never 404", async () => {
    const t = await startTestApp({ env: { SLACK_API_URL: "http://127.0.0.1:9/api/" } });
    try {
      expect((await fetch(`${t.url}/healthz`)).status).toBe(503);
      const res = await t.command("/call-lead", "");
      expect(res.status).toBe(200);
    } finally {
      await t.stop();
    }
  });

  it("while Slack stays unreachable, start-up warns once and retries with growing waits, not a warning a second", async () => {
    // A Slack that answers every request with 503: each attempt is seen here.
    const attempts: number[] = [];
    const down = createServer((req, res) => {
      if (req.url?.includes("auth.test")) attempts.push(Date.now());
      res.writeHead(503, { "content-type": "application/json" }).end('{"ok":false,"error":"service_unavailable"}');
    });
    await new Promise<void>((resolve) => down.listen(0, "127.0.0.1", resolve));
    const port = (down.address() as AddressInfo).port;
    const t = await startTestApp({ env: { SLACK_API_URL: `http://127.0.0.1:${port}/api/` } });
    try {
      // Three checks after the first: the waits between checks grow (1 s, 2 s, 5 s by default).
      // One request per check (the client does not retry on its own): 4 attempts = the first and 3 retries.
      await eventually(() => attempts.length >= 4, "four checks of Slack", 20_000);
      const waits = attempts.slice(1, 4).map((at, i) => at - attempts[i]!);
      expect(waits[0]).toBeGreaterThanOrEqual(900);
      expect(waits[1]).toBeGreaterThan(waits[0]!);
      expect(waits[2]).toBeGreaterThan(waits[1]!);
      const warnings = t.logs
        .map((line) => JSON.parse(line) as { level: number; msg: string })
        .filter((l) => l.level >= 40);
      expect(warnings.map((w) => w.msg)).toEqual([
        "Slack is unreachable; Leadline takes requests and keeps trying (/healthz answers 503 until Slack answers)",
      ]);
    } finally {
      await t.stop();
      down.close();
    }
  }, 30_000);

  it("a token Slack rejects stops start-up with one error naming the variable", async () => {
    const slack = await startFakeSlack();
    slack.failNext.set("auth.test", "invalid_auth");
    try {
      const error = await startTestApp({ slack }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SlackTokenRejected);
      expect((error as Error).message).toMatch(/^SLACK_BOT_TOKEN was rejected by Slack \(invalid_auth\)/);
    } finally {
      await slack.close();
    }
  });

  it("the process exits 78 with one clear line, no stack trace, when the token is rejected", async () => {
    const slack = await startFakeSlack();
    slack.failNext.set("auth.test", "invalid_auth");
    const dir = mkdtempSync(join(tmpdir(), "leadline-main-"));
    try {
      const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
        env: {
          PATH: process.env.PATH,
          PORT: "0",
          SLACK_BOT_TOKEN: "xoxb-rejected",
          SLACK_SIGNING_SECRET: "secret",
          SLACK_API_URL: slack.apiUrl,
          DATABASE_URL: `file:${join(dir, "db.sqlite")}`,
          APP_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
          LOG_LEVEL: "silent",
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (chunk) => {
        stderr += String(chunk);
      });
      const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
      expect(code).toBe(78);
      const lines = stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^Leadline cannot start: SLACK_BOT_TOKEN was rejected by Slack \(invalid_auth\)/);
      expect(stderr).not.toMatch(/\n\s+at /);
    } finally {
      await slack.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

describe("the call line and what a user saves", () => {
  let t: TestApp;
  let account: FakeAccount;

  beforeAll(async () => {
    t = await startTestApp({ env: { PUBLIC_BASE_URL: PUBLIC } });
  });
  afterAll(async () => {
    await t.stop();
  });
  beforeEach(async () => {
    t.twilio.requests.length = 0;
    t.slack.calls.length = 0;
    t.slack.responses.length = 0;
    t.slack.delays.clear();
    await t.app.deps.db.call.deleteMany();
    await t.app.deps.db.lead.deleteMany();
    await t.app.deps.db.agentSetting.deleteMany();
    await t.app.deps.db.dncEntry.deleteMany();
    account = t.twilio.addAccount({ numbers: [FROM] });
    await t.app.deps.settings.clear(t.ws, "test");
    await t.app.deps.settings.save(
      t.ws,
      { accountSid: account.sid, authToken: account.token, phoneNumber: FROM, agentPhone: "+12125550199" },
      "U0ADMIN01",
    );
  });

  const click = (leadId: number, opts: { messageTs?: string; ephemeral?: boolean } = {}) =>
    t.interact(
      buttonClick({
        userId: AGENT,
        actionId: ids.call.messageAction,
        value: String(leadId),
        channel: CHANNEL,
        messageTs: opts.messageTs ?? CARD_TS,
        responseUrl: t.slack.responseUrl(),
        ephemeral: opts.ephemeral,
      }),
    );

  it("a final status that arrives before the line is posted still ends in the line", async () => {
    const lead = await withConsent(
      t.app,
      t.ws,
      await t.app.deps.leads.create(t.ws, { name: "Jane Doe", phone: "+12125550182", author: "seed" }),
    );
    t.slack.delays.set("chat.postMessage", 800);
    await click(lead.id);
    const create = await eventually(() => t.twilio.creates()[0], "Calls create");
    const sid = JSON.parse(JSON.stringify([...t.twilio.calls.values()].at(-1))).sid as string;
    expect(create.params.get("To")).toBe("+12125550182");
    const ref = { sid, accountSid: account.sid, to: "+12125550182", from: FROM };
    // The call ends while Slack is still posting the line (its chat.postMessage is on its way, held 800 ms).
    // The callback goes to the URL the call gave Twilio, which names the call: it is verified even if
    // Twilio's answer to the create were not stored yet.
    await eventually(() => t.slack.callsTo("chat.postMessage").length === 1, "the line's post on its way");
    expect((await t.app.deps.db.call.findFirstOrThrow({ where: { leadId: lead.id } })).slackTs).toBeNull();
    const callback = new URL(create.params.get("StatusCallback")!);
    const res = await t.signedTwilio(
      `${callback.pathname}${callback.search}`,
      forCall(reference.completedHuman, ref),
      account.token,
    );
    expect(res.status).toBe(204);
    expect(t.slack.callsTo("chat.postMessage")).toHaveLength(1);
    const row = await eventually(async () => {
      const call = await t.app.deps.db.call.findFirst({ where: { twilioSid: sid } });
      return call?.slackTs ? call : undefined;
    }, "line posted");
    const shown = await eventually(() => {
      const message = t.slack.messages.get(`${CHANNEL}:${row.slackTs}`);
      return String(message?.text ?? "").includes("completed") ? String(message?.text) : undefined;
    }, "line edited to completed");
    expect(shown).toMatch(/<@U0MARIA01> called \*Jane Doe\* .* · completed \(49s, answered by a person\)$/);
  });

  it("a voicemail fills {{firstName}} like the live message, with the default and a custom voicemail", async () => {
    for (const voicemail of [undefined, "Hi {{firstName}}, sorry we missed you. Call {{name}}'s agent back."]) {
      await t.app.deps.settings.save(
        t.ws,
        { callMessage: "Hello {{firstName}}, this is Acme Realty. They will be with you shortly." },
        "U0ADMIN01",
        voicemail ? [] : ["voicemailMessage"],
      );
      if (voicemail) await t.app.deps.settings.save(t.ws, { voicemailMessage: voicemail }, "U0ADMIN01");
      await t.app.deps.db.lead.deleteMany();
      const lead = await withConsent(
        t.app,
        t.ws,
        await t.app.deps.leads.create(t.ws, { name: "Jane Doe", phone: "+12125550182", author: "seed" }),
      );
      await click(lead.id);
      const call = await eventually(async () => {
        const row = await t.app.deps.db.call.findFirst({ where: { leadId: lead.id } });
        return row?.twilioSid ? row : undefined;
      }, "placed");
      const res = await t.signedTwilio(
        "/twilio/amd",
        { CallSid: call.twilioSid!, AccountSid: account.sid, AnsweredBy: "machine_end_beep" },
        account.token,
      );
      expect(res.status).toBe(204);
      const update = t.twilio.requests.filter((r) => r.method === "POST" && r.path.endsWith(`${call.twilioSid}.json`));
      const said = update.at(-1)!.params.get("Twiml")!;
      expect(said).not.toContain("{{");
      expect(said).toContain(voicemail ? "Hi Jane, sorry we missed you. Call Jane Doe's agent back." : "Hello Jane");
    }
  });

  it("Add phone on a card older than the number shows the number and never overwrites it unseen", async () => {
    const lead = await t.app.deps.leads.create(t.ws, { name: "Jane Doe", author: "seed" });
    const before = await t.app.deps.leads.get(t.ws, lead.id);
    // The card in the channel was posted while Jane had no phone; it offers Add phone.
    const posted = await (await t.app.deps.slackFor(t.ws)).postToChannel(
      { channel: CHANNEL },
      {
        text: "card",
        blocks: (await import("../../src/views/lead-card.js")).leadCard(before!, {
          now: new Date(),
          browserEnabled: false,
        }),
      },
    );
    // Sam opens Add phone on it while Jane still has none…
    await t.interact(
      buttonClick({
        userId: "U0SAM0001",
        actionId: ids.lead.phoneAction,
        value: String(lead.id),
        channel: CHANNEL,
        messageTs: posted.ts,
        responseUrl: t.slack.responseUrl(),
      }),
    );
    const samsForm = await eventually(() => t.slack.callsTo("views.open").at(-1), "Sam's form");
    expect(JSON.stringify(samsForm.args.view)).toContain("Add a phone");
    // …meanwhile Maria adds the number from her own form.
    await t.app.deps.leads.setPhone(t.ws, lead.id, "212 555 0182", AGENT, null);
    const samsSubmit = await t.interact(
      viewSubmission(samsForm.args.view as Record<string, unknown>, "U0SAM0001", {
        [leadFields.phone]: "646 555 0111",
      }),
    );
    const refused = (await samsSubmit.json()) as { response_action: string; errors: Record<string, string> };
    expect(refused.response_action).toBe("errors");
    expect(refused.errors[leadFields.phone]).toMatch(/number changed to \+12125550182 while this form was open/);
    expect((await t.app.deps.leads.get(t.ws, lead.id))!.phone).toBe("+12125550182");

    // Clicked again, the same old card opens "Change phone" showing the current number.
    await t.interact(
      buttonClick({
        userId: "U0SAM0001",
        actionId: ids.lead.phoneAction,
        value: String(lead.id),
        channel: CHANNEL,
        messageTs: posted.ts,
        responseUrl: t.slack.responseUrl(),
      }),
    );
    const changeForm = await eventually(
      () => (t.slack.callsTo("views.open").length === 2 ? t.slack.callsTo("views.open").at(-1) : undefined),
      "change form",
    );
    const text = JSON.stringify(changeForm.args.view);
    expect(text).toContain("Change phone");
    expect(text).toContain("+1 212 555 0182");
    const saved = await t.interact(
      viewSubmission(changeForm.args.view as Record<string, unknown>, "U0SAM0001", {
        [leadFields.phone]: "646 555 0111 x12",
      }),
    );
    const answer = (await saved.json()) as { response_action: string; view: { blocks: unknown[] } };
    expect(answer.response_action).toBe("update");
    expect(JSON.stringify(answer.view)).toContain("phone changed from +1 212 555 0182 to +1 646 555 0111 ext. 12");
    const after = (await t.app.deps.leads.get(t.ws, lead.id))!;
    expect(after).toMatchObject({ phone: "+16465550111", phoneExt: "12" });
    const notes = await t.app.deps.db.note.findMany({ where: { leadId: lead.id }, orderBy: { id: "asc" } });
    expect(notes.at(-1)).toMatchObject({
      author: "U0SAM0001",
      body: "[Phone] Changed from +12125550182 to +16465550111 ext. 12",
    });
    const audit = await t.app.deps.db.auditLog.findFirst({
      where: { action: "lead.phone_changed" },
      orderBy: { id: "desc" },
    });
    expect(audit).toMatchObject({ actor: "U0SAM0001" });
    expect(audit!.detail).not.toContain("2125550182");
    // The card in the channel is redrawn as the lead is now (the number masked, as a new install does), Call buttons.
    const card = await eventually(() => {
      const message = t.slack.messages.get(`${CHANNEL}:${posted.ts}`);
      return JSON.stringify(message?.blocks ?? "").includes("+1 ••• ••• 0111") ? message : undefined;
    }, "card redrawn");
    expect(JSON.stringify(card.blocks)).not.toContain("646 555");
    expect(JSON.stringify(card.blocks)).toContain(ids.call.liveAction);
    expect(JSON.stringify(card.blocks)).not.toContain(ids.lead.phoneAction);
    // A call dials the main number, never the extension (consent covers a number: the new one needs its own).
    await withConsent(t.app, t.ws, after);
    await click(lead.id, { messageTs: posted.ts });
    const create = await eventually(() => t.twilio.creates()[0], "create");
    expect(create.params.get("To")).toBe("+16465550111");
  });

  it("Add note and /call-lead settings confirm the save; the note shows who wrote it", async () => {
    const lead = await withConsent(
      t.app,
      t.ws,
      await t.app.deps.leads.create(t.ws, { name: "Jane Doe", phone: "+12125550182", author: "seed" }),
    );
    await t.interact(
      buttonClick({
        userId: AGENT,
        actionId: ids.lead.noteAction,
        value: String(lead.id),
        channel: CHANNEL,
        responseUrl: t.slack.responseUrl(),
        ephemeral: true,
      }),
    );
    const form = await eventually(() => t.slack.callsTo("views.open").at(-1), "note form");
    const saved = await t.interact(
      viewSubmission(form.args.view as Record<string, unknown>, AGENT, {
        [leadFields.note]: "Wants a Saturday showing",
      }),
    );
    const answer = (await saved.json()) as { response_action: string; view: unknown };
    expect(answer.response_action).toBe("update");
    expect(JSON.stringify(answer.view)).toContain("Note saved on Jane Doe.");
    // The card was ephemeral: a fresh copy with the note, written by the person (a mention, not a raw id).
    const copy = await eventually(
      () => t.slack.callsTo("chat.postEphemeral").find((c) => JSON.stringify(c.args.blocks).includes("Saturday")),
      "fresh card",
    );
    expect(JSON.stringify(copy.args.blocks)).toContain(`— <@${AGENT}>,`);

    await t.command("/call-lead", "settings", AGENT);
    const settings = await eventually(
      () => t.slack.callsTo("views.open").find((c) => JSON.stringify(c.args.view).includes("Your call settings")),
      "settings form",
    );
    const done = await t.interact(
      viewSubmission(settings.args.view as Record<string, unknown>, AGENT, { agent_phone: "(646) 555-0111" }),
    );
    const confirmation = (await done.json()) as { response_action: string; view: unknown };
    expect(confirmation.response_action).toBe("update");
    expect(JSON.stringify(confirmation.view)).toContain("Your calls now ring *+1 646 555 0111* first");
  });

  it("an agent's own phone passes the toll-fraud guard when saved", async () => {
    for (const [phone, expected] of [
      ["+1 900 555 0100", /premium-rate/],
      ["+44 20 7946 0958", /Calls to the United Kingdom are not enabled for this team/],
    ] as const) {
      await t.command("/call-lead", "settings", AGENT);
      const form = await eventually(() => t.slack.callsTo("views.open").at(-1), "settings form");
      t.slack.calls.length = 0;
      const res = await t.interact(
        viewSubmission(form.args.view as Record<string, unknown>, AGENT, { agent_phone: phone }),
      );
      const body = (await res.json()) as { response_action: string; errors: Record<string, string> };
      expect(body.response_action).toBe("errors");
      expect(body.errors.agent_phone).toMatch(expected);
      expect(await t.app.deps.agentPhones.own(t.ws, AGENT)).toBeUndefined();
    }
  });

  it("help texts escape their angle brackets; /lead finds by the last 4 digits, email and source", async () => {
    const help = (await (await t.command("/call-lead", "help")).json()) as { blocks: unknown[] };
    expect(JSON.stringify(help.blocks)).toContain("&lt;name, phone or lead id&gt;");
    const leadHelp = (await (await t.command("/lead", "")).json()) as { blocks: unknown[] };
    expect(JSON.stringify(leadHelp.blocks)).toMatch(/&lt;name, phone.*&gt;/);
    await t.app.deps.leads.create(t.ws, {
      name: "Jane Doe",
      phone: "+12125550182",
      email: "jane@example.com",
      source: "Zillow",
      author: "seed",
    });
    await t.app.deps.leads.create(t.ws, {
      name: "Bob Stone",
      phone: "+13125550199",
      source: "Open house",
      author: "seed",
    });
    const find = async (q: string) =>
      JSON.stringify(((await (await t.command("/lead", q)).json()) as { blocks: unknown[] }).blocks);
    expect(await find("0182")).toContain("*Jane Doe*");
    expect(await find("0182")).not.toContain("Bob Stone");
    expect(await find("jane@example.com")).toContain("*Jane Doe*");
    expect(await find("zillow")).toContain("*Jane Doe*");
    expect(await find("open house")).toContain("*Bob Stone*");
    expect(await find("zillow")).not.toContain("Bob Stone");
  });
});
