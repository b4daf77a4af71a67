import { join } from "node:path";
import { DateTime } from "luxon";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SANDBOX_CHANNEL, SANDBOX_USERS, type Sandbox } from "../../sandbox/sandbox.js";
import {
  ARTIFACTS,
  type ConsolePage,
  needsChromium,
  nextWeekdayMorning,
  openConsoleAt,
} from "../helpers/console-page.js";

// Item 2 of issue 23: the console schedules from a card (timepicker), picks an owner (users_select),
// turns @name into a mention, opens App Home, imports a CSV through a file_input, and keeps its
// messages across a sandbox restart so a scheduled call's line still finds its thread.

let browserConsole: ConsolePage;
let sandbox: Sandbox;
let page: Page;
const weekdayMorning = nextWeekdayMorning();

beforeAll(async () => {
  if (needsChromium) return;
  browserConsole = await openConsoleAt("leadline-sandbox-home", weekdayMorning, SANDBOX_USERS.admin.id);
  ({ sandbox, page } = browserConsole);
}, 60_000);

afterAll(async () => {
  await browserConsole?.close();
});

const type = (text: string) => browserConsole.type(text);
const modal = () => browserConsole.modal();
const input = (blockId: string) => modal().locator(`[data-input-block="${blockId}"] input`);
const card = () => page.locator("#messages > li.message", { hasText: "Rita Restart" }).first();

describe.skipIf(needsChromium)("the sandbox console: schedule, owner, mentions, App Home, restart", () => {
  it("schedules from a card with the date and time pickers, and sets the owner with a people menu", async () => {
    await type("/lead add");
    await modal().waitFor();
    await input("lead_name").fill("Rita Restart");
    await input("lead_phone").fill("(201) 555-0111");
    await modal().locator("button[type=submit]").click();
    await modal().waitFor({ state: "detached" });
    await card().waitFor();

    await card().locator('[data-action-id="schedule_open"]').click();
    await modal().waitFor();
    expect(await modal().locator(".unknown").count()).toBe(0);
    const day = weekdayMorning.plus({ days: 1 }).toFormat("yyyy-LL-dd");
    await input("schedule_date").fill(day);
    await input("schedule_time").fill("14:00");
    await page.screenshot({ path: join(ARTIFACTS, "sandbox-schedule-form.png") });
    await modal().locator("button[type=submit]").click();
    await expect.poll(() => modal().textContent(), { timeout: 10_000 }).toContain("Rita Restart");
    const rows = await sandbox.leadline.deps.db.scheduledCall.findMany();
    expect(rows).toHaveLength(1);
    expect(DateTime.fromJSDate(rows[0]!.dueAt).setZone("America/New_York").toFormat("yyyy-LL-dd HH:mm")).toBe(
      `${day} 14:00`,
    );
    await modal().locator("footer button").first().click();
    await modal().waitFor({ state: "detached" });

    await card().locator('[data-action-id="lead_edit_open"]').click();
    await modal().waitFor();
    const owner = modal().locator('[data-input-block="lead_owner"] select');
    await owner.selectOption(SANDBOX_USERS.agent.id);
    expect(await modal().locator(".unknown").count()).toBe(0);
    await modal().locator("button[type=submit]").click();
    await expect
      .poll(
        async () => (await sandbox.leadline.deps.db.lead.findFirst({ where: { name: "Rita Restart" } }))?.ownerSlackId,
      )
      .toBe(SANDBOX_USERS.agent.id);
    await modal().locator("footer button").first().click();
  }, 60_000);

  it("@name in the composer is a mention, in a message and in a command that asks for escaping", async () => {
    await type("thanks @sam for the lead");
    const said = page.locator("#messages > li.message", { hasText: "for the lead" }).last();
    await said.waitFor();
    expect(await said.locator("b.mention").textContent()).toBe("@sam");
    const kept = sandbox.workspace.messages.find((m) => m.text.includes("for the lead"));
    expect(kept?.text).toBe(`thanks <@${SANDBOX_USERS.agent.id}> for the lead`);
    // /call-stats is should_escape: true in manifest.yml: Leadline gets <@U…|sam> and answers for Sam.
    await type("/call-stats week @sam");
    const answer = page.locator("li.message.ephemeral", { hasText: /Calls|calls/ }).last();
    await answer.waitFor();
    expect(await answer.textContent()).toContain("@sam");
    expect(await page.locator("li.message.ephemeral", { hasText: "Mention the agent" }).count()).toBe(0);
  }, 30_000);

  it("opens the App Home tab: Leadline draws it on app_home_opened, with the scheduled call", async () => {
    await page.click("#tab-home");
    const home = page.locator("#home [data-home-view]");
    await home.waitFor();
    await expect.poll(() => home.textContent(), { timeout: 10_000 }).toContain("Rita Restart");
    expect(await page.locator("#home .unknown").count()).toBe(0);
    expect(await page.locator("#messages").isHidden()).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, "sandbox-app-home.png"), fullPage: true });
    await page.click("#tab-channel");
    await page.locator("#messages").waitFor();
  }, 30_000);

  it("imports a CSV through /lead import's file input; the report comes as a DM", async () => {
    await type("/lead import");
    await modal().waitFor();
    await modal()
      .locator('[data-input-block="lead_import_file"] input[type=file]')
      .setInputFiles({
        name: "open-house.csv",
        mimeType: "text/csv",
        buffer: Buffer.from("name,phone\nOscar Openhouse,(201) 555-0120\nNo Phone,\n"),
      });
    await expect.poll(() => modal().locator("input[type=file]").getAttribute("data-uploaded")).toBe("1");
    await modal().locator("button[type=submit]").click();
    await expect.poll(() => modal().textContent()).toContain("Importing open-house.csv");
    const dm = await expect
      .poll(
        () =>
          sandbox.workspace.messages.find((m) => m.channel.startsWith("D") && m.text.includes("open-house.csv"))?.text,
        {
          timeout: 10_000,
        },
      )
      .toBe("Imported open-house.csv: added 1 lead, skipped 1 row (1 not valid).");
    void dm;
    expect((await sandbox.leadline.deps.leads.search(sandbox.ws, "Oscar")).leads).toHaveLength(1);
    await modal().locator("footer button").first().click();
  }, 30_000);

  it("keeps the channel across a restart: the scheduled call's line goes into the card's thread", async () => {
    const cardTs = sandbox.workspace.messages.find(
      (m) => m.channel === SANDBOX_CHANNEL && m.text.includes("Rita Restart"),
    )?.ts;
    expect(cardTs).toBeDefined();
    const before = sandbox.workspace.messages.length;
    await browserConsole.restart();
    sandbox = browserConsole.sandbox;
    expect(sandbox.workspace.messages.length).toBe(before);
    await browserConsole.open();
    await card().waitFor();
    // No second welcome: the channel is as it was.
    expect(sandbox.workspace.messages.filter((m) => m.text.startsWith("Welcome to the Leadline sandbox"))).toHaveLength(
      1,
    );

    // The booked call comes due now (due times are judged on the calling clock).
    await sandbox.leadline.deps.db.scheduledCall.updateMany({
      data: { dueAt: new Date(sandbox.clock.now().getTime() - 1000) },
    });
    await sandbox.leadline.deps.scheduler.tick();
    const line = card().locator(".thread li.message", { hasText: "Rita Restart" }).last();
    await line.waitFor({ timeout: 15_000 });
    const posted = sandbox.workspace.messages.filter((m) => m.threadTs === cardTs && /Rita Restart/.test(m.text));
    expect(posted.length).toBeGreaterThan(0);
    const row = (await sandbox.leadline.deps.db.scheduledCall.findMany())[0]!;
    expect(row.status).toBe("placed");
    await page.screenshot({ path: join(ARTIFACTS, "sandbox-after-restart.png"), fullPage: true });
  }, 60_000);
});
