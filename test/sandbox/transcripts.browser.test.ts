import { join } from "node:path";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SANDBOX_USERS, type Sandbox } from "../../sandbox/sandbox.js";
import {
  ARTIFACTS,
  type ConsolePage,
  needsChromium,
  nextWeekdayMorning,
  openConsoleAt,
} from "../helpers/console-page.js";

// Issue 29 as a person tries it in the sandbox console: an admin turns recording on in /twilio-setup,
// calls Jane, and the call's thread gets the recording, the transcript file (agent / lead, with times)
// and the summary card; the suggestion buttons book a call back once, however often they are tapped.

let browserConsole: ConsolePage;
let sandbox: Sandbox;
let page: Page;
const weekdayMorning = nextWeekdayMorning(4);

beforeAll(async () => {
  if (needsChromium) return;
  browserConsole = await openConsoleAt("leadline-sandbox-transcripts", weekdayMorning, SANDBOX_USERS.admin.id);
  ({ sandbox, page } = browserConsole);
}, 60_000);

afterAll(async () => {
  await browserConsole?.close();
});

const modal = () => browserConsole.modal();
/** The call's message in the channel (its thread is drawn inside it). */
const callMessage = (): Locator =>
  page.locator("#messages > li.message", { hasText: "called Jane Doe" }).filter({ hasText: "Live call" }).last();

describe.skipIf(needsChromium)("the sandbox console: transcripts and summaries in the call's thread", () => {
  it("records a call after /twilio-setup turns recording on, then shows the transcript and the summary", async () => {
    await browserConsole.type("/twilio-setup");
    await modal().waitFor();
    await modal().locator('[data-input-block="setup_recording"] input[value="on"]').check();
    await modal().locator("button[type=submit]").click();
    await expect.poll(() => modal().textContent(), { timeout: 20_000 }).toContain("Changed: Record calls.");
    await modal().locator("button", { hasText: "Done" }).click();
    await modal().waitFor({ state: "detached" });

    await browserConsole.type("/call-lead Jane");
    const card = page.locator("#messages > li.message", { hasText: "Jane Doe" }).last();
    await card.locator('[data-action-id="call_live"]').first().click();
    const thread = () => callMessage().locator(".thread");
    await expect
      .poll(async () => (await callMessage().count()) > 0 && ((await thread().textContent()) ?? ""), {
        timeout: 60_000,
      })
      .toContain("Suggestions only: nothing is applied until someone taps.");
    const shown = (await callMessage().textContent()) ?? "";
    expect(shown).toMatch(/completed \(\d+s, recording in thread\)/);
    expect(shown).toContain("Recording of the call to Jane Doe");
    // The emoji Slack would draw are drawn; no ":page_facing_up:" left as text.
    expect(shown).toContain("📄 Transcript of the call with Jane Doe");
    expect(shown).not.toMatch(/:[a-z_]+:/);
    expect(shown).toContain("Call summary · Jane Doe");
    expect(shown).toContain("Pre-approved: yes");
    expect(shown).toMatch(/Call back — \w{3}, \w{3} \d+, 5:00 PM/);
    expect(await page.locator(".unknown").count()).toBe(0);

    // The transcript file: speakers labelled, times from the start of the recording.
    const href = await callMessage()
      .locator("a", { hasText: "Transcript of the call with Jane Doe" })
      .getAttribute("href");
    const file = await (await page.request.get(new URL(href!, page.url()).toString())).text();
    expect(file).toMatch(/^Transcript of call CA[0-9a-f]{32} with Jane Doe\n\n\[00:00\] Agent \(/);
    expect(file).toContain("] Lead (Jane Doe): I am at work now. Please call me back Tuesday at 5.");
    await callMessage().screenshot({ path: join(ARTIFACTS, "sandbox-transcript-summary.png") });
  }, 120_000);

  it("Schedule call back books one call, and a second tap shows that booking instead of another", async () => {
    const button = callMessage().locator("button", { hasText: /^Schedule call back / });
    await button.click();
    const booked = page.locator("li.message.ephemeral", { hasText: "Scheduled a live call to Jane Doe" });
    await expect.poll(() => booked.count(), { timeout: 20_000 }).toBe(1);
    await button.click();
    const again = page.locator("li.message.ephemeral", {
      hasText: "This call back was already booked from this summary",
    });
    await expect.poll(() => again.count(), { timeout: 20_000 }).toBe(1);
    expect(await again.textContent()).toContain("Nothing new was booked.");
    const lead = (await sandbox.leadline.deps.leads.search(sandbox.ws, "Jane Doe")).leads[0]!;
    const upcoming = (await sandbox.leadline.deps.scheduler.upcoming(sandbox.ws)).filter(
      (row) => row.leadId === lead.id,
    );
    expect(upcoming).toHaveLength(1);
    await page.screenshot({ path: join(ARTIFACTS, "sandbox-summary-callback.png") });
  }, 60_000);
});
