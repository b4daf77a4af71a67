import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ids } from "../../src/lib/ids.js";
import { queueSettingsSchema } from "../../src/services/queues/queue-filter.js";
import {
  CHANNEL,
  dropSharedDatabase,
  eventually,
  settled,
  startTestApp,
  type TestApp,
  testEngine,
} from "../helpers/app.js";
import { startFakeSlack } from "../helpers/fake-slack.js";
import { startFakeTwilio } from "../helpers/fake-twilio.js";
import { buttonClick } from "../helpers/payloads.js";

// Speed to lead over two instances of Leadline on one database: a lead from the lead API gets a Claim
// message with its waiting time; the first claim wins whichever instance takes it; unclaimed past the
// workspace's limit the channel is told once and the lead goes to the front of every queue that takes it.

const ADMIN = "U0ADMIN01";
let dir: string;
let a: TestApp;
let b: TestApp;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "leadline-speed-"));
  const slack = await startFakeSlack();
  const twilio = await startFakeTwilio();
  const env = { APP_ENCRYPTION_KEY: randomBytes(32).toString("base64"), ADMIN_SLACK_USER_IDS: ADMIN };
  a = await startTestApp({ dir, slack, twilio, env });
  b = await startTestApp({ dir, slack, twilio, env });
}, 30_000);
afterAll(async () => {
  await b?.stop();
  await a?.stop();
  await a?.slack.close();
  await a?.twilio.close();
  await dropSharedDatabase(dir);
  rmSync(dir, { recursive: true, force: true });
});

async function apiLead(t: TestApp, lead: Record<string, unknown>) {
  const res = await fetch(`${t.url}/api/leads`, {
    method: "POST",
    headers: { authorization: `Bearer ${t.env.LEADS_API_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(lead),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { lead: { id: number } }).lead.id;
}

/** The speed-to-lead message of a lead as the channel shows it now. */
const speedMessageOf = (leadId: number) =>
  [...a.slack.messages.values()].find(
    (m) =>
      m.channel === CHANNEL &&
      JSON.stringify(m.blocks ?? []).includes(`lead #${leadId}`) &&
      String(m.text).startsWith("Speed to lead"),
  );

const claimClick = (t: TestApp, leadId: number, user: string, ts: string) =>
  t.interact(
    buttonClick({
      userId: user,
      actionId: ids.queue.speedClaimAction,
      value: String(leadId),
      channel: CHANNEL,
      messageTs: ts,
      responseUrl: a.slack.responseUrl(),
    }),
  );

describe(`speed to lead over two instances (${testEngine()})`, () => {
  it("posts Claim with a waiting time; the first of two claims on two instances wins, the other is told who has it", async () => {
    const leadId = await apiLead(a, { name: "Quick Quinn", phone: "+12125550171", source: "Zillow" });
    const posted = await eventually(() => speedMessageOf(leadId), "the Claim message");
    expect(JSON.stringify(posted.blocks)).toMatch(/has waited \d+ s\. Claim it within 5 min of arrival/);
    await Promise.all([
      claimClick(a, leadId, "U0ANNA001", String(posted.ts)),
      claimClick(b, leadId, "U0BOB0001", String(posted.ts)),
    ]);
    await settled(a);
    await settled(b);
    const row = (await a.app.deps.db.speedClaim.findFirst({ where: { leadId } }))!;
    expect(["U0ANNA001", "U0BOB0001"]).toContain(row.claimedBy);
    const loser = row.claimedBy === "U0ANNA001" ? "U0BOB0001" : "U0ANNA001";
    await eventually(
      () => JSON.stringify(speedMessageOf(leadId)?.blocks).includes(`claimed by <@${row.claimedBy}>`),
      "the message to name the winner",
    );
    const told = [
      ...a.slack.responses.map((r) => String(r.body.text ?? "")),
      ...a.slack.callsTo("chat.postEphemeral").map((c) => String(c.args.text ?? "")),
    ];
    expect(told.filter((text) => text.includes(`already claimed by <@${row.claimedBy}>`))).toHaveLength(1);
    expect(loser).not.toBe(row.claimedBy);
  });

  it("unclaimed past the limit: the channel is told once (two instances ticking) and the lead is first in every queue that takes it", async () => {
    expect(
      String(((await (await a.command("/call-queue", "speed 3", ADMIN)).json()) as { text: string }).text),
    ).toContain("after 3 min");
    const queue = await a.app.deps.queueAdmin.create(
      a.ws,
      ADMIN,
      queueSettingsSchema.parse({ name: "Zillow new", filter: { source: "zillow" }, orderBy: "new" }),
    );
    await a.app.deps.queueAdmin.create(
      a.ws,
      ADMIN,
      queueSettingsSchema.parse({ name: "Referrals", filter: { source: "referral" } }),
    );
    // Older leads the queue would offer first by arrival.
    for (const i of [1, 2, 3])
      await a.app.deps.leads.create(a.ws, {
        name: `Old ${i}`,
        phone: `+1212555018${i}`,
        source: "zillow",
        author: "seed",
      });
    const late = await apiLead(b, {
      name: "Waiting Wendy",
      phone: "+12125550190",
      source: "zillow",
      submittedAt: new Date(Date.now() - 4 * 60_000).toISOString(),
    });
    await eventually(() => speedMessageOf(late), "Wendy's Claim message");
    const [fromA, fromB] = await Promise.all([a.app.deps.speedPosts.tick(), b.app.deps.speedPosts.tick()]);
    expect(fromA + fromB).toBe(1);
    await eventually(
      () => JSON.stringify(speedMessageOf(late)?.blocks).includes("nobody claimed"),
      "the message to say so",
    );
    expect(JSON.stringify(speedMessageOf(late)!.blocks)).toContain("within 3 min; it is now first in *Zillow new*");
    const threaded = a.slack
      .callsTo("chat.postMessage")
      .filter((c) => c.args.thread_ts && String(c.args.text).startsWith("Speed to lead"));
    expect(threaded).toHaveLength(1);
    // The queue offers Wendy before the older leads.
    const offer = await a.app.deps.queueClaims.next(queue, null, "U0CAROL01");
    expect(offer?.lead.id).toBe(late);
    await a.app.deps.queueClaims.release({ id: offer!.claim.id, agentId: "U0CAROL01" }, "stopped");
    // Once someone claims her, she is in the queue's usual order again.
    await claimClick(a, late, "U0DAVE001", String(speedMessageOf(late)!.ts));
    await settled(a);
    const next = await a.app.deps.queueClaims.next(queue, null, "U0CAROL01");
    const oldest = await a.app.deps.db.lead.findFirst({
      where: { source: { in: ["zillow", "Zillow"] } },
      orderBy: { createdAt: "asc" },
    });
    expect(next?.lead.id).toBe(oldest!.id);
    expect(next?.lead.id).not.toBe(late);
  });

  it("the limit is for admins, in whole minutes", async () => {
    const answer = async (text: string, user: string) =>
      String(((await (await a.command("/call-queue", text, user)).json()) as { text: string }).text);
    expect(await answer("speed 10", "U0NOTADMIN")).not.toContain("now go to the front");
    expect(await answer("speed ten", ADMIN)).toContain("whole minutes");
    expect(await answer("speed 0", ADMIN)).toContain("from 1 to 1440");
    expect(await answer("speed", "U0NOTADMIN")).toContain("after 3 min");
  });
});
