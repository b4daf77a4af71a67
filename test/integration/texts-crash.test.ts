import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CALLING_TIME, CHANNEL, dropSharedDatabase, eventually } from "../helpers/app.js";
import { type FakeSlack, startFakeSlack } from "../helpers/fake-slack.js";
import { type FakeTwilio, startFakeTwilio } from "../helpers/fake-twilio.js";
import { twilioSignature } from "../helpers/signing.js";
import { CHILD_PUBLIC, type ChildApp, childSql, seedDatabase, startChildApp } from "../security/child-app.js";

// kill -9 of Leadline while it posts a burst of inbound texts, then a restart on the same database:
// every text the webhook accepted (200) reaches Slack, in the order Twilio sent them. The real app runs
// in its own process (test/helpers/child-app.ts); the outbox's pace is 30 ms so the burst takes a moment.

const FROM = "+15005550006";
const NY = "+12125550182";
const BURST = 50;

let slack: FakeSlack;
let twilio: FakeTwilio;
let dir: string;
const children: ChildApp[] = [];

afterAll(async () => {
  for (const child of children) await child.stop();
  await slack?.close();
  await twilio?.close();
  if (dir) {
    rmSync(dir, { recursive: true, force: true });
    await dropSharedDatabase(dir);
  }
});

const sid = (i: number) => `SM${String(i).padStart(32, "0")}`;

/** The numbers of the "message N" texts Slack was given, in the order it was given them. */
const posted = () =>
  slack
    .callsTo("chat.postMessage")
    .map((call) => /message (\d+)\b/.exec(JSON.stringify(call.args.blocks))?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number);

describe("kill -9 while posting a burst of inbound texts", () => {
  it("all 50 accepted texts are posted in order after a restart, none lost", async () => {
    slack = await startFakeSlack();
    twilio = await startFakeTwilio();
    slack.botChannels.add(CHANNEL);
    const account = twilio.addAccount({ numbers: [FROM] });
    dir = mkdtempSync(join(tmpdir(), "leadline-texts-crash-"));
    const key = randomBytes(32).toString("base64");
    await seedDatabase({ dir, key, slack, twilio }, async (t) => {
      await t.app.deps.settings.save(
        t.ws,
        { accountSid: account.sid, authToken: account.token, phoneNumber: FROM, leadsChannel: CHANNEL },
        "U0ADMIN01",
      );
      await t.app.deps.leads.create(t.ws, { name: "Jane Doe", phone: NY, author: "seed" });
    });
    const start = () =>
      startChildApp({
        slack,
        twilioUrl: twilio.url,
        dir,
        key,
        callingTime: CALLING_TIME,
        env: {
          LEADLINE_TEST_OPTIONS: JSON.stringify({
            callingTime: CALLING_TIME.toISOString(),
            textPaceMs: 30,
            textLeaseMs: 1_000,
          }),
        },
      });
    const first = await start();
    children.push(first);
    const ws = (await childSql<{ id: number }>(first, 'SELECT id FROM "Workspace" ORDER BY id LIMIT 1'))[0]!.id;
    const path = `/twilio/sms/inbound?ws=${ws}`;
    for (let i = 1; i <= BURST; i += 1) {
      const params = { AccountSid: account.sid, MessageSid: sid(i), From: NY, To: FROM, Body: `message ${i}` };
      const res = await fetch(`${first.url}${path}`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "x-twilio-signature": twilioSignature(account.token, `${CHILD_PUBLIC}${path}`, params),
        },
        body: new URLSearchParams(params).toString(),
      });
      expect(res.status).toBe(200);
    }
    // Killed mid-burst: some texts are in Slack, the rest only in the database.
    await eventually(() => posted().length >= 10, "the first texts posted", 15_000);
    await first.kill("SIGKILL");
    const before = posted().length;
    expect(before).toBeLessThan(BURST);

    const second = await start();
    children.push(second);
    await eventually(() => new Set(posted()).size === BURST, "every text posted after the restart", 20_000);
    const seen = posted();
    // Each number once, in order; the one text being posted at the instant of the kill may show twice
    // (posted to Slack, not yet marked posted), and then right after itself.
    const unique = seen.filter((n, i) => i === 0 || n !== seen[i - 1]);
    expect(unique).toEqual(Array.from({ length: BURST }, (_, i) => i + 1));
    expect(seen.length - unique.length).toBeLessThanOrEqual(1);
    // A text is marked posted just after Slack has it: the last one may still be marking when Slack has all 50.
    const unposted = async () =>
      Number(
        (
          await childSql<{ n: number }>(
            second,
            `SELECT COUNT(*) AS n FROM "Text" WHERE direction = 'inbound' AND "postedAt" IS NULL`,
          )
        )[0]!.n,
      );
    await eventually(async () => (await unposted()) === 0, "every text marked posted", 10_000).catch(() => undefined);
    expect(await unposted()).toBe(0);
    await second.kill("SIGTERM");
  }, 90_000);
});
