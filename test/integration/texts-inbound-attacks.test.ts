import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { eventually, freshStart, startTestApp, type TestApp } from "../helpers/app.js";
import type { FakeAccount } from "../helpers/fake-twilio.js";

// The inbound SMS webhook as a stranger meets it (issue #27, "Bad input"): a STOP written the many ways
// leads write it with no OptOutType (Twilio's Advanced Opt-Out off), a replayed signed text, malformed
// and oversized bodies, a workspace that is not the signer's, and a hostile lead name in the thread.

const PUBLIC = "https://leadline.example.com";
const ADMIN = "U0ADMIN01";
const FROM = "+15005550006";
const NY = "+12125550182";

let t: TestApp;
let account: FakeAccount;

const lead = (name: string, phone: string) => t.app.deps.leads.create(t.ws, { name, phone, author: "seed" });
const inbound = (params: Record<string, string>, ws: number | string = t.ws) =>
  t.signedTwilio(`/twilio/sms/inbound?ws=${ws}`, { AccountSid: account.sid, To: FROM, ...params }, account.token);
const sid = () => `SM${Math.random().toString(16).slice(2).padEnd(32, "0").slice(0, 32)}`;
const posts = () => t.slack.callsTo("chat.postMessage");

beforeAll(async () => {
  t = await startTestApp({ env: { PUBLIC_BASE_URL: PUBLIC, ADMIN_SLACK_USER_IDS: ADMIN }, textPaceMs: 5 });
});
afterAll(async () => {
  await t.stop();
});
beforeEach(async () => {
  account = await freshStart(t, {
    tables: ["text", "textOptOut", "scheduledCall", "call", "consent", "lead", "dncEntry", "auditLog"],
    from: FROM,
    agentPhone: "+12125550199",
    admin: ADMIN,
  });
});

describe("a STOP without Twilio's OptOutType", () => {
  it.each([
    ["stop ", "+12125550101"],
    ["STOPALL", "+12125550102"],
    ["Unsubscribe", "+12125550103"],
    ["Stop.", "+12125550104"],
    ["opt out", "+12125550105"],
  ])("“%s” puts the number on the do-not-call list and says so in the thread", async (body, phone) => {
    await lead("Jane Doe", phone);
    expect((await inbound({ MessageSid: sid(), From: phone, Body: body })).status).toBe(200);
    expect(await t.app.deps.db.dncEntry.findFirst({ where: { phone } })).not.toBeNull();
    await eventually(
      () => posts().find((c) => String(c.args.text).includes("opted out: they texted STOP")),
      "the opt-out notice",
    );
  });

  it("a sentence with “stop” in it is a text, not an opt-out", async () => {
    await lead("Jane Doe", NY);
    expect((await inbound({ MessageSid: sid(), From: NY, Body: "Stop by the house at 5?" })).status).toBe(200);
    await eventually(() => posts().find((c) => String(c.args.text).startsWith("Text from")), "the text's post");
    expect(await t.app.deps.db.dncEntry.count()).toBe(0);
  });
});

describe("a “Yes” is an answer unless the number had opted out", () => {
  it("“Yes” to a question is a plain text; after a STOP, “Yes” opts back in to texts and the thread says so", async () => {
    await lead("Jane Doe", NY);
    await inbound({ MessageSid: sid(), From: NY, Body: "Yes" });
    const answer = await eventually(
      () => posts().find((c) => String(c.args.text).startsWith("Text from")),
      "the answer",
    );
    expect(String(answer.args.text)).toBe("Text from Jane Doe");
    expect(JSON.stringify(answer.args.blocks)).not.toMatch(/START|opted back/);
    expect((await t.app.deps.db.text.findFirstOrThrow()).optOutType).toBeNull();
    await inbound({ MessageSid: sid(), From: NY, Body: "STOP" });
    await inbound({ MessageSid: sid(), From: NY, Body: "yes", OptOutType: "START" });
    await eventually(
      () => posts().find((c) => JSON.stringify(c.args.blocks).includes("They opted back in to texts (START)")),
      "the opt-in said",
    );
    expect(await t.app.deps.db.dncEntry.count({ where: { phone: NY } })).toBe(1);
  });
});

describe("the inbound webhook refuses what is not Twilio's", () => {
  it("a replayed signed text is stored and posted once", async () => {
    await lead("Jane Doe", NY);
    const one = { MessageSid: sid(), From: NY, Body: "Can we talk at 5?" };
    expect((await inbound(one)).status).toBe(200);
    expect((await inbound(one)).status).toBe(200);
    await eventually(() => posts().find((c) => String(c.args.text).startsWith("Text from")), "the text's post");
    await t.app.deps.tasks.drain(2_000);
    expect(await t.app.deps.db.text.count()).toBe(1);
    expect(posts().filter((c) => JSON.stringify(c.args.blocks).includes("Can we talk at 5?"))).toHaveLength(1);
  });

  it("malformed, oversized or for another workspace: refused, nothing stored or posted", async () => {
    await lead("Jane Doe", NY);
    const refused = [
      [await inbound({ MessageSid: "SM123", From: NY, Body: "hi" }), 400],
      [await inbound({ MessageSid: sid(), From: "2125550182", Body: "hi" }), 400],
      [await inbound({ MessageSid: sid(), Body: "no sender" }), 400],
      [await inbound({ MessageSid: sid(), From: NY, Body: "x".repeat(1601) }), 400],
      [await inbound({ MessageSid: sid(), From: NY, Body: "x".repeat(2_000_000) }), 413],
      // Signed with this account's token, for a workspace that does not exist or is not a number.
      [await inbound({ MessageSid: sid(), From: NY, Body: "hi" }, t.ws + 1000), 403],
      [await inbound({ MessageSid: sid(), From: NY, Body: "hi" }, "1;drop"), 403],
    ] as const;
    expect(refused.map(([res]) => res.status)).toEqual(refused.map(([, status]) => status));
    await t.app.deps.tasks.drain(2_000);
    expect(await t.app.deps.db.text.count()).toBe(0);
    expect(posts()).toHaveLength(0);
  });
});

describe("a hostile lead name in the thread", () => {
  it("a text from and a STOP by “<!channel> & <http://x|y>” show the name as plain text", async () => {
    await lead("<!channel> & <http://x|y>", NY);
    await inbound({ MessageSid: sid(), From: NY, Body: "hello" });
    await inbound({ MessageSid: sid(), From: NY, Body: "STOP" });
    await eventually(() => posts().length >= 3, "the text, the STOP and the opt-out notice");
    const shown = JSON.stringify(posts().map((c) => [c.args.text, c.args.blocks]));
    expect(shown).not.toContain("<!channel>");
    expect(shown).not.toContain("<http://x|y>");
    expect(shown).toContain("&lt;!channel&gt; &amp; &lt;http://x|y&gt;");
  });
});

describe("/text with something missing", () => {
  const answer = async (text: string) =>
    ((await (await t.command("/text", text, "U0MARIA01")).json()) as { text: string }).text;

  it("no lead: the help, its angle brackets escaped; no message or no match: said plainly, the input escaped", async () => {
    await lead("Jane Doe", NY);
    const help = await answer("");
    expect(help).toContain("`/text &lt;lead&gt; &lt;message&gt;`");
    expect(help).not.toMatch(/<lead>|<message>/);
    expect(await answer("jane")).toBe(":x: Say what to text after the lead, e.g. /text jane Are you free at 5?");
    const nobody = await answer("<!channel> hello");
    expect(nobody).toContain("No lead matches “&lt;!channel&gt;”");
    expect(nobody).not.toContain("<!channel>");
    await t.app.deps.tasks.drain(2_000);
    expect(await t.app.deps.db.text.count()).toBe(0);
  });
});
