import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blockKitProblems } from "../../sandbox/slack/block-kit/index.js";
import { CALLING_TIME, eventually, SIGNING_SECRET, startTestApp, type TestApp } from "../helpers/app.js";
import { slackSignature } from "../helpers/signing.js";

// Texts in /call-stats (sent, delivered, failed, replies, opt-outs per agent, over the same range as calls)
// and in App Home (the replies waiting on the agent, with Reply by text, and the agent's latest texts).

const ADMIN = "U0ADMIN01";
const MARIA = "U0MARIA01";
const SAM = "U0SAM0001";
const JANE = "+12125550182";
const BOB = "+13055550142";
const ANN = "+14105550142";

describe("texts in /call-stats and App Home", () => {
  let t: TestApp;
  const minutes = (n: number) => new Date(CALLING_TIME.getTime() + n * 60_000);

  beforeAll(async () => {
    t = await startTestApp({ env: { ADMIN_SLACK_USER_IDS: ADMIN }, callingClock: () => CALLING_TIME });
    const jane = await t.app.deps.leads.create(t.ws, { name: "Jane Doe", phone: JANE, author: "seed" });
    const bob = await t.app.deps.leads.create(t.ws, { name: "Bob Roe", phone: BOB, author: "seed" });
    let sid = 0;
    const text = (row: {
      agentId?: string;
      phone: string;
      leadId: number | null;
      direction: "outbound" | "inbound";
      status: string;
      at: Date;
      body?: string;
      kind?: string;
      errorCode?: number;
      optOutType?: string;
      noSid?: boolean;
    }) =>
      t.app.deps.db.text.create({
        data: {
          workspaceId: t.ws,
          leadId: row.leadId,
          direction: row.direction,
          kind: row.kind ?? (row.direction === "inbound" ? "reply" : "agent"),
          phone: row.phone,
          body: row.body ?? "Hello",
          status: row.status,
          agentId: row.agentId ?? null,
          twilioSid: row.noSid ? null : `SM${String(++sid).padStart(32, "0")}`,
          errorCode: row.errorCode ?? null,
          optOutType: row.optOutType ?? null,
          createdAt: row.at,
        },
      });
    // Maria: 3 reached Twilio (2 delivered, 1 undelivered 30006), 1 refused by Twilio (21610), 1 the law refused.
    await text({
      agentId: MARIA,
      phone: JANE,
      leadId: jane.id,
      direction: "outbound",
      status: "delivered",
      at: minutes(-120),
    });
    await text({
      agentId: MARIA,
      phone: BOB,
      leadId: bob.id,
      direction: "outbound",
      status: "delivered",
      at: minutes(-110),
    });
    await text({
      agentId: MARIA,
      phone: ANN,
      leadId: null,
      direction: "outbound",
      status: "undelivered",
      errorCode: 30006,
      at: minutes(-100),
    });
    await text({
      agentId: MARIA,
      phone: ANN,
      leadId: null,
      direction: "outbound",
      status: "not_sent",
      errorCode: 21610,
      noSid: true,
      at: minutes(-95),
    });
    await text({
      agentId: MARIA,
      phone: BOB,
      leadId: bob.id,
      direction: "outbound",
      status: "not_sent",
      noSid: true,
      at: minutes(-90),
    });
    // Jane replies to Maria (waiting: nothing after it); Bob replies, then Sam texts him (answered), then Bob texts STOP.
    await text({
      phone: JANE,
      leadId: jane.id,
      direction: "inbound",
      status: "received",
      body: "<!channel> Can we talk at 5?",
      at: minutes(-60),
    });
    await text({
      phone: BOB,
      leadId: bob.id,
      direction: "inbound",
      status: "received",
      body: "Who is this?",
      at: minutes(-50),
    });
    await text({ agentId: SAM, phone: BOB, leadId: bob.id, direction: "outbound", status: "sent", at: minutes(-40) });
    await text({
      phone: BOB,
      leadId: bob.id,
      direction: "inbound",
      status: "received",
      body: "STOP",
      optOutType: "STOP",
      at: minutes(-30),
    });
    // Leadline's own answers (a HELP reply) are not an agent's texts.
    await text({
      agentId: "leadline",
      phone: JANE,
      leadId: jane.id,
      direction: "outbound",
      status: "delivered",
      kind: "help",
      at: minutes(-20),
    });
  });
  afterAll(async () => {
    await t.stop();
  });

  const stats = async (args: string, user: string) =>
    (await (await t.command("/call-stats", args, user)).json()) as { text: string; blocks: unknown[] };

  it("/call-stats counts each agent's texts over the range, replies and opt-outs to the agent who texted last", async () => {
    const team = await stats("2026-11-23..2026-11-25", ADMIN);
    const shown = JSON.stringify(team.blocks);
    expect(team.text).toContain("Texts: 4 texts sent · 2 delivered (50%) · 2 failed · 2 replies · 1 opt-out");
    expect(shown).toContain(`<@${MARIA}> · 3 texts sent · 2 delivered (67%) · 2 failed · 2 replies · 0 opt-outs`);
    expect(shown).toContain(`<@${SAM}> · 1 text sent · 0 delivered (0%) · 0 failed · 0 replies · 1 opt-out`);
    const sam = await stats("2026-11-23..2026-11-25", SAM);
    expect(sam.text).toContain("Texts: 1 text sent · 0 delivered (0%) · 0 failed · 0 replies · 1 opt-out");
    expect(sam.text).not.toContain("3 texts");
    const otherDay = await stats("2026-11-20", ADMIN);
    expect(otherDay.text).not.toContain("Texts:");
  });

  it("App Home shows Maria the reply waiting on her (Jane's, escaped, with Reply by text) and her latest texts", async () => {
    const body = JSON.stringify({
      token: "x",
      team_id: "T0LEADLINE",
      api_app_id: "A0LEADLINE",
      type: "event_callback",
      event_id: "EvTEXTSHOME",
      event_time: Math.floor(Date.now() / 1000),
      event: { type: "app_home_opened", user: MARIA, channel: "D0HOME", tab: "home", event_ts: "1.2" },
    });
    const ts = Math.floor(Date.now() / 1000);
    const res = await t.post("/slack/events", body, {
      "content-type": "application/json",
      "x-slack-request-timestamp": String(ts),
      "x-slack-signature": slackSignature(SIGNING_SECRET, ts, body),
    });
    expect(res.status).toBe(200);
    const home = await eventually(
      () => t.slack.callsTo("views.publish").find((c) => c.args.user_id === MARIA),
      "Maria's home",
    );
    const view = home.args.view as { blocks: { accessory?: { action_id?: string; value?: string } }[] };
    const shown = JSON.stringify(view);
    expect(shown).toContain("*Texts waiting for your reply* (1)");
    expect(shown).toContain("&lt;!channel&gt; Can we talk at 5?");
    expect(shown).not.toContain("Who is this?");
    expect(shown).toContain("*Your latest texts*");
    expect(shown).toContain(":warning: undelivered (30006)");
    expect(shown).toContain("*Your texts* · today 3 texts sent");
    const jane = await t.app.deps.db.lead.findFirstOrThrow({ where: { phone: JANE } });
    expect(view.blocks.filter((b) => b.accessory?.action_id === "text_reply").map((b) => b.accessory?.value)).toEqual([
      String(jane.id),
    ]);
    expect(blockKitProblems(view.blocks, "home")).toEqual([]);
  });
});
