import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ids } from "../../src/lib/ids.js";
import { CHANNEL, eventually, startTestApp, type TestApp } from "../helpers/app.js";
import { launchChromium, needsChromium } from "../helpers/console-page.js";
import { type FakeAccount, fakeSid } from "../helpers/fake-twilio.js";
import { buttonClick } from "../helpers/payloads.js";

const AGENT = "U0MARIA01";
const FROM = "+15005550006";
const PUBLIC = "https://leadline.example.com";

let t: TestApp;
let account: FakeAccount;
let leadId: number;

beforeAll(async () => {
  t = await startTestApp({ env: { PUBLIC_BASE_URL: PUBLIC } });
  account = t.twilio.addAccount({ numbers: [FROM] });
  await t.app.deps.settings.save(
    t.ws,
    {
      accountSid: account.sid,
      authToken: account.token,
      phoneNumber: FROM,
      apiKeySid: fakeSid("SK"),
      apiKeySecret: "s".repeat(32),
      twimlAppSid: fakeSid("AP"),
    },
    "U0ADMIN01",
  );
  leadId = (await t.app.deps.leads.create(t.ws, { name: "Jane <b>Doe</b>", phone: "+12125550182", author: "seed" })).id;
});
afterAll(async () => {
  await t.stop();
});

/** Clicks Browser call and returns the link the clicker got, rewritten to reach the local app. */
async function linkFromClick(): Promise<{ publicUrl: string; localUrl: string }> {
  const before = t.slack.responses.length;
  await t.interact(
    buttonClick({
      userId: AGENT,
      actionId: ids.call.browserAction,
      value: String(leadId),
      channel: CHANNEL,
      messageTs: "1.5",
      responseUrl: t.slack.responseUrl(),
    }),
  );
  const reply = await eventually(
    () => t.slack.responses.slice(before).find((r) => JSON.stringify(r.body).includes("/phone?t=")),
    "browser link",
  );
  const publicUrl = /"url":"([^"]+)"/.exec(JSON.stringify(reply.body))![1]!;
  return { publicUrl, localUrl: publicUrl.replace(PUBLIC, t.url) };
}

describe("browser calls", () => {
  it("the card shows Browser call when configured", async () => {
    const body = (await (await t.command("/call-lead", "jane", AGENT)).json()) as { blocks: unknown[] };
    expect(JSON.stringify(body.blocks)).toContain(ids.call.browserAction);
  });

  it("gives the clicker a single-use link bound to them; the page escapes the lead's name", async () => {
    const { publicUrl, localUrl } = await linkFromClick();
    expect(publicUrl.startsWith(`${PUBLIC}/phone?t=`)).toBe(true);
    const page = await fetch(localUrl);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Call Jane &lt;b&gt;Doe&lt;/b&gt;");
    expect(html).not.toContain("+12125550182");
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    const again = await fetch(localUrl);
    expect(again.status).toBe(410);
    const tampered = await fetch(localUrl.replace(/.$/, (c) => (c === "A" ? "B" : "A")));
    expect(tampered.status).toBe(410);
  });

  it("issues a Voice access token for the page session only", async () => {
    const { localUrl } = await linkFromClick();
    const html = await (await fetch(localUrl)).text();
    const session = /data-session="([^"]+)"/.exec(html)![1]!;
    const res = await fetch(`${t.url}/phone/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ session }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token: string; identity: string; linkId: string };
    expect(body.identity).toBe(AGENT);
    const claims = JSON.parse(Buffer.from(body.token.split(".")[1]!, "base64url").toString("utf8"));
    expect(claims.grants.identity).toBe(AGENT);
    expect(claims.grants.voice.outgoing.application_sid).toMatch(/^AP/);
    expect(claims.exp - claims.iat).toBeLessThanOrEqual(600);
    const wrong = await fetch(`${t.url}/phone/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ session: "nope" }),
    });
    expect(wrong.status).toBe(403);
  });

  it("the voice webhook dials the lead looked up by id, only when signed by Twilio and bound to the caller", async () => {
    const { localUrl } = await linkFromClick();
    const html = await (await fetch(localUrl)).text();
    const session = /data-session="([^"]+)"/.exec(html)![1]!;
    const { linkId } = (await (
      await fetch(`${t.url}/phone/token`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ session }),
      })
    ).json()) as { linkId: string };
    const params = {
      CallSid: fakeSid("CA"),
      AccountSid: account.sid,
      From: `client:${AGENT}`,
      To: "",
      link: linkId,
      To_number: "+19005550100",
    };

    const unsigned = await t.post("/twilio/voice/browser", new URLSearchParams(params).toString(), {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(unsigned.status).toBe(403);
    const forged = await t.signedTwilio("/twilio/voice/browser", params, "0".repeat(32));
    expect(forged.status).toBe(403);
    expect(await t.app.deps.db.call.count()).toBe(0);

    const stranger = await t.signedTwilio(
      "/twilio/voice/browser",
      { ...params, From: "client:U0STRANGER" },
      account.token,
    );
    expect(await stranger.text()).toContain("<Hangup/>");

    const res = await t.signedTwilio("/twilio/voice/browser", params, account.token);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(
      `<?xml version="1.0" encoding="UTF-8"?><Response><Dial callerId="${FROM}"><Number>+12125550182</Number></Dial></Response>`,
    );
    const post = await eventually(() => t.slack.callsTo("chat.postMessage").at(-1), "channel line");
    expect(String(post.args.text)).toContain("· Browser call · in progress");
    expect(JSON.stringify(post.args.blocks)).toContain("Call SID CA");
    expect(post.args.thread_ts).toBe("1.5");
    const note = await t.app.deps.db.note.findFirstOrThrow({
      where: { leadId, body: { startsWith: "[Outbound Call]" } },
    });
    expect(note.body).toContain(`Call SID: ${params.CallSid}`);
  });

  it.skipIf(needsChromium)("the page renders in headless Chromium and fetches a token", async () => {
    const { localUrl } = await linkFromClick();
    const browser = await launchChromium(["--disable-gpu", "--disable-component-update", "--no-first-run"]);
    try {
      const page = await browser.newPage();
      await page.goto(localUrl);
      await page.waitForSelector('#phone[data-token-ready="true"]', { timeout: 10_000 });
      expect(await page.getAttribute("#phone", "data-identity")).toBe(AGENT);
      expect(await page.textContent("h1")).toBe("Call Jane <b>Doe</b>");
      await page.waitForFunction(() => !(document.getElementById("call") as HTMLButtonElement).disabled, undefined, {
        timeout: 10_000,
      });
      expect(await page.textContent("#status")).toContain("Ready");
    } finally {
      await browser.close();
    }
  });
});
