import { join } from "node:path";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SANDBOX_TWILIO, type Sandbox } from "../../sandbox/sandbox.js";
import { ARTIFACTS, type ConsolePage, needsChromium, openConsole } from "../helpers/console-page.js";

// Local caller ID as an admin and an agent see it in the sandbox console, in headless Chromium: a
// Miami number put in the pool, a Miami lead's call line naming the number that called, and
// /twilio-setup numbers listing the number with its calls, routing and Trust Hub registrations.

const MIAMI_305 = "+13055550100";

let browserConsole: ConsolePage;
let sandbox: Sandbox;
let page: Page;

beforeAll(async () => {
  if (needsChromium) return;
  // Logged at info level, as the product runs, though nothing here reads the lines.
  browserConsole = await openConsole({ name: "leadline-callerid", logTo: [] });
  ({ sandbox, page } = browserConsole);
}, 60_000);

afterAll(async () => {
  await browserConsole?.close();
});

const type = (text: string) => browserConsole.type(text);

/** The newest ephemeral answer that contains `words`, once it shows. */
async function answered(words: string): Promise<Locator> {
  const answer = page.locator("li.message.ephemeral", { hasText: words }).last();
  await answer.waitFor({ timeout: 15_000 });
  return answer;
}

const modal = () => browserConsole.modal();
const field = (blockId: string) => browserConsole.field(blockId);

describe.skipIf(needsChromium)("local caller ID in the sandbox console", () => {
  it("an admin pools a Miami number; a Miami lead's call line names it; /twilio-setup numbers lists it", async () => {
    sandbox.twilio.addNumber(SANDBOX_TWILIO.accountSid, MIAMI_305);
    sandbox.twilio.addTrustProduct(SANDBOX_TWILIO.accountSid, {
      policy: "shakenStir",
      status: "twilio-approved",
      phoneNumbers: [MIAMI_305],
    });

    await type(`/twilio-setup numbers add ${MIAMI_305}`);
    const added = await answered("is in the caller-ID pool");
    expect(await added.textContent()).toContain("+1 305 555 0100 is in the caller-ID pool");

    await type("/lead add");
    await modal().waitFor();
    await field("lead_name").fill("Mia Miami");
    await field("lead_phone").fill("(305) 555-0142");
    await modal().locator("button[type=submit]").click();
    await modal().waitFor({ state: "detached" });
    const card = page.locator("#messages > li.message", { hasText: "Mia Miami" }).first();
    await card.waitFor();
    await card.locator('[data-action-id="call_live"]').first().click();
    const line = card.locator(".thread li.message", { hasText: "Live call" }).last();
    await expect.poll(async () => line.textContent(), { timeout: 20_000 }).toContain("completed");
    expect(await line.textContent()).toContain("from +1 305 555 0100, local");
    // The console redraws a message when it changes: scroll to whichever element holds the line now.
    await expect
      .poll(
        async () =>
          line.scrollIntoViewIfNeeded({ timeout: 2_000 }).then(
            () => true,
            () => false,
          ),
        { timeout: 10_000 },
      )
      .toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, "caller-id-call-line.png") });
    const call = [...sandbox.twilio.calls.values()].find((c) => c.to === "+13055550142");
    expect(call?.from).toBe(MIAMI_305);

    await type("/twilio-setup numbers");
    const listed = await answered("in the caller-ID pool (cap 75 calls a day each)");
    const words = (await listed.textContent()) ?? "";
    expect(words).toContain("2 numbers on the Twilio account, 1 in the caller-ID pool");
    expect(words).toMatch(/\+1 305 555 0100 \(305, FL\) · in the pool/);
    expect(words).toContain("Today 1/75 · this week 1");
    expect(words).toContain("call-backs reach Leadline");
    expect(words).toContain("SHAKEN/STIR: approved");
    expect(words).toContain("CNAM: missing: leads see a bare number");
    expect(words).toMatch(/\+1 201 555 0100.*not in the pool · team number · sends texts\s*Today 0 \(no cap\)/);
    expect(await listed.locator(".unknown").count()).toBe(0);
    await listed.scrollIntoViewIfNeeded();
    await listed.screenshot({ path: join(ARTIFACTS, "caller-id-numbers.png") });
  }, 90_000);
});
