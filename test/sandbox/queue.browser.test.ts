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

// Issue 26 as an agent works it in the sandbox console: an admin saves a queue, starts a run from App
// Home's Start calling, answers the one call to their phone, and works the queue card in their direct
// messages with Leadline (the console's Messages tab): Call, an outcome, Skip with a reason, Snooze until
// tomorrow morning, Stop; then /call-stats counts the queue's skips by reason.

let browserConsole: ConsolePage;
let sandbox: Sandbox;
let page: Page;
const weekdayMorning = nextWeekdayMorning();

beforeAll(async () => {
  if (needsChromium) return;
  browserConsole = await openConsoleAt("leadline-sandbox-queue", weekdayMorning, SANDBOX_USERS.admin.id);
  ({ sandbox, page } = browserConsole);
}, 60_000);

afterAll(async () => {
  await browserConsole?.close();
});

const queueCard = (): Locator => page.locator("#messages > li.message", { hasText: "Queue: Everyone" }).last();
const cardSays = (text: string | RegExp) =>
  expect.poll(async () => (await queueCard().textContent()) ?? "", { timeout: 30_000 }).toMatch(text);

describe.skipIf(needsChromium)("the sandbox console: a queue run from start to stop", () => {
  it("starts a run, rings the agent once, and the queue card arrives in the Messages tab", async () => {
    await browserConsole.type("/call-queue new Everyone order=new");
    await expect
      .poll(() => page.locator("li.message.ephemeral", { hasText: "Queue Everyone created" }).count())
      .toBe(1);
    // App Home lists the queue with what is left in it and Start calling (and, for this admin, Edit and Delete).
    await page.click("#tab-home");
    const home = page.locator("#home [data-home-view]");
    await expect
      .poll(() => home.textContent(), { timeout: 10_000 })
      .toMatch(/Call queues \(1\)[\s\S]*Everyone · \d+ leads left/);
    expect(await page.locator("#home .unknown").count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, "sandbox-queue-home.png"), fullPage: true });
    await home.locator('[data-action-id="queue_home_start"]').click();
    // The card went to the agent's direct messages: the tab counts what arrived there.
    await expect.poll(() => page.textContent("#dm-count"), { timeout: 30_000 }).toMatch(/\d/);
    await page.click("#tab-dm");
    expect(await page.isHidden("#composer")).toBe(true);
    await cardSays(/Jane Doe.*Call.*Skip.*Stop/);
    expect(await page.isHidden("#dm-count")).toBe(true);
    const events = (await page.textContent("#twilio-events")) ?? "";
    expect(events).toMatch(/joins conference "leadline-q-[0-9a-f]+"/);
    expect(events).toContain("Press any key to start calling.");
    await page.screenshot({ path: join(ARTIFACTS, "sandbox-queue-card.png") });
  }, 60_000);

  it("Call adds the lead to the agent's conference; an outcome is asked for, then the next lead comes", async () => {
    const rings = [...sandbox.twilio.calls.values()].filter((call) => call.to === "+12015550199").length;
    await queueCard().getByRole("button", { name: "Call", exact: true }).click();
    await cardSays("Record an outcome before the next lead.");
    expect(await page.textContent("#twilio-events")).toMatch(/participant dialled into conference "leadline-q-/);
    await page.screenshot({ path: join(ARTIFACTS, "sandbox-queue-outcome.png") });
    await queueCard().getByRole("button", { name: "Interested", exact: true }).click();
    await cardSays(/Bob Busy[\s\S]*1 called/);
    // The agent's phone rang once for the whole run: the lead was added to the same call.
    expect([...sandbox.twilio.calls.values()].filter((call) => call.to === "+12015550199").length).toBe(rings);
  }, 60_000);

  it("Skip takes a reason and Snooze a time from the card's menus; both are counted; Stop ends the run and says so", async () => {
    const skip = queueCard().locator('select[data-action="queue_skip"]');
    expect(await skip.locator("option").allTextContents()).toEqual([
      "Skip…",
      "Not interested right now",
      "Asked to be called later",
      "Already in touch with us",
      "Wrong number (out of this queue)",
      "Other reason",
    ]);
    await skip.selectOption({ label: "Wrong number (out of this queue)" });
    await cardSays(/Nora Noanswer[\s\S]*1 skipped \(1 wrong number\)/);
    const snooze = queueCard().locator('select[data-action="queue_snooze"]');
    await snooze.selectOption({ label: "Tomorrow morning (their time)" });
    await cardSays(/1 skipped \(1 wrong number\) · 1 snoozed/);
    expect(await queueCard().textContent()).not.toContain("Nora Noanswer");
    const snoozed = await sandbox.leadline.deps.db.queueSkip.findFirst({ where: { reason: "snooze" } });
    expect(snoozed?.until?.getTime()).toBeGreaterThan(Date.now() + 3_600_000);
    await page.screenshot({ path: join(ARTIFACTS, "sandbox-queue-skipped.png") });
    // "Pick a day and time…": Slack's pickers in a form; the lead is snoozed until then.
    await cardSays("Victor Voicemail");
    await queueCard().locator('select[data-action="queue_snooze"]').selectOption({ label: "Pick a day and time…" });
    const form = browserConsole.modal();
    await form.waitFor();
    expect(await form.locator(".unknown").count()).toBe(0);
    const inTwoDays = weekdayMorning.plus({ days: 2 }).toFormat("yyyy-LL-dd");
    await form.locator('[data-input-block="schedule_date"] input').fill(inTwoDays);
    await form.locator('[data-input-block="schedule_time"] input').fill("10:00");
    await page.screenshot({ path: join(ARTIFACTS, "sandbox-queue-snooze-form.png") });
    await form.locator("button[type=submit]").click();
    await form.waitFor({ state: "detached" });
    await cardSays(/1 skipped \(1 wrong number\) · 2 snoozed/);
    await queueCard().getByRole("button", { name: "Stop", exact: true }).click();
    await cardSays("The run has ended: you stopped it.");
    await page.screenshot({ path: join(ARTIFACTS, "sandbox-queue-stopped.png") });
  }, 60_000);

  it("/call-stats counts the queue: its call, skips by reason and the snooze", async () => {
    await page.click("#tab-channel");
    await browserConsole.type("/call-stats");
    const stats = page.locator("li.message.ephemeral", { hasText: "Per queue" }).last();
    await expect
      .poll(() => stats.textContent(), { timeout: 20_000 })
      .toMatch(/Everyone · 1 call · .*1 skipped \(1 wrong number\) · 2 snoozed/);
    await stats.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, "sandbox-queue-stats.png") });
  }, 60_000);
});
