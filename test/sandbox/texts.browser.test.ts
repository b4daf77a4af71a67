import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "../../sandbox/sandbox.js";
import { ARTIFACTS, type ConsolePage, needsChromium, openConsole } from "../helpers/console-page.js";

// A lead's phone, played from the sandbox console in a real browser: the lead texts the team, an agent
// answers with /text, the phone shows what it received; STOP puts the lead on the do-not-call list (the
// channel says so, Twilio's own confirmation reaches the phone), HELP while opted out gets nothing, START
// gets Twilio's re-subscribe answer.

const JANE = "+12015550101";

let browserConsole: ConsolePage;
let sandbox: Sandbox;
let page: Page;

beforeAll(async () => {
  if (needsChromium) return;
  browserConsole = await openConsole({ name: "leadline-sandbox-texts" });
  ({ sandbox, page } = browserConsole);
  // A weekday afternoon in New York: inside texting hours for a New Jersey lead.
  sandbox.clock.set({ mode: "pretend", local: "2026-12-01T14:00", zone: "America/New_York" });
}, 60_000);

afterAll(async () => {
  await browserConsole?.close();
});

const received = () => page.locator("#phone-received li.phone-text");
const channelText = () => page.locator("#messages").textContent();

describe.skipIf(needsChromium)("a lead's phone in the sandbox console", () => {
  it("texts the team as the lead, shows the agent's answer on the phone, and plays STOP, HELP and START", async () => {
    await page.locator("#phone-number").fill("(201) 555-0101");
    await page.locator("#phone-body").fill("Can we talk at 5?");
    await page.locator("#phone-send").click();
    await expect.poll(channelText, { timeout: 20_000 }).toContain("Can we talk at 5?");
    expect(await page.locator("#phone-body").inputValue()).toBe("");
    // The lead's words are quoted as Slack quotes a line that starts with ">": a block quote, no ">" shown.
    expect(await page.locator("#messages blockquote.quote", { hasText: "Can we talk at 5?" }).count()).toBe(1);
    expect(await channelText()).not.toContain(">Can we talk at 5?");

    await browserConsole.type("/text Jane Yes, 5 works. I will call you then.");
    await expect
      .poll(async () => (await received().allTextContents()).join("\n"), { timeout: 20_000 })
      .toMatch(/Team · delivered · Sandbox Realty: Yes, 5 works\. I will call you then\.\s*Reply STOP to opt out\./);
    await expect.poll(channelText, { timeout: 20_000 }).toContain("delivered");
    await page.locator("#messages").screenshot({ path: join(ARTIFACTS, "sandbox-texts-channel-sent.png") });

    await page.locator('#phone-form [data-keyword="STOP"]').click();
    await expect.poll(channelText, { timeout: 20_000 }).toContain("opted out: they texted STOP");
    await page.locator("#messages").screenshot({ path: join(ARTIFACTS, "sandbox-texts-channel-stop.png") });
    await expect.poll(() => received().count()).toBe(2);
    expect(await received().last().textContent()).toMatch(
      /^Twilio · delivered · You have successfully been unsubscribed/,
    );
    const lead = await sandbox.leadline.deps.db.lead.findFirstOrThrow({ where: { phone: JANE } });
    expect(await sandbox.leadline.deps.db.dncEntry.count({ where: { phone: JANE } })).toBe(1);

    await page.locator('#phone-form [data-keyword="HELP"]').click();
    await expect
      .poll(() => sandbox.leadline.deps.db.text.count({ where: { phone: JANE, direction: "inbound" } }))
      .toBe(3);
    expect(await received().count()).toBe(2);

    await page.locator('#phone-form [data-keyword="START"]').click();
    await expect.poll(() => received().count(), { timeout: 20_000 }).toBe(3);
    expect(await received().last().textContent()).toMatch(/re-subscribed/);
    await expect.poll(channelText, { timeout: 20_000 }).toContain("They opted back in to texts (START)");
    await page.locator("#messages").screenshot({ path: join(ARTIFACTS, "sandbox-texts-channel-start.png") });
    expect(lead.id).toBeGreaterThan(0);
    await page.locator("#phone").scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, "sandbox-texts-phone.png"), fullPage: false });
  });

  it("refuses a number that cannot text, in the panel", async () => {
    await page.locator("#phone-number").fill("12");
    await page.locator("#phone-body").fill("hello");
    await page.locator("#phone-send").click();
    await expect.poll(() => page.locator("#phone-error").textContent()).toContain('"12" cannot text');
    expect(await page.locator("#phone-error").isVisible()).toBe(true);
  });
});
