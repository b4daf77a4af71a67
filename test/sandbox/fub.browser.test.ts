import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SANDBOX_USERS, type Sandbox } from "../../sandbox/sandbox.js";
import { ARTIFACTS, type ConsolePage, needsChromium, openConsole } from "../helpers/console-page.js";

// The sync both ways, as a person sees it in the sandbox console in headless Chromium: the Follow Up
// Boss panel connects FUB (as /crm-setup does), a person added "in FUB" arrives in #leads as a lead card
// owned by their FUB agent (FUB's signed peopleCreated webhook), and the call made from that card is
// logged once in FUB, its outcome tapped afterwards updating the same FUB call.

let browserConsole: ConsolePage;
let sandbox: Sandbox;
let page: Page;

beforeAll(async () => {
  if (needsChromium) return;
  browserConsole = await openConsole({ name: "leadline-sandbox-fub" });
  ({ sandbox, page } = browserConsole);
  // A weekday morning in Chicago: the call to the new lead is inside calling hours.
  sandbox.clock.set({ mode: "pretend", local: "2026-12-01T10:00", zone: "America/Chicago" });
}, 60_000);

afterAll(async () => {
  await browserConsole?.close();
});

const fub = () => sandbox.leadline.deps.crmSetup.status(sandbox.ws, SANDBOX_USERS.admin.id);

describe.skipIf(needsChromium)("the sandbox console's Follow Up Boss panel", () => {
  it("connects FUB from the panel; before that Leadline holds no connection and FUB has no webhooks", async () => {
    const state = page.locator("#fub-state");
    await expect.poll(() => state.textContent()).toContain("Not connected");
    expect((await fub()).connected).toBe(false);
    expect(sandbox.fub.sim.webhooks.size).toBe(0);

    await page.click("#fub-connect");
    await expect.poll(() => state.textContent()).toContain("Connected to Leadline");
    expect(await state.textContent()).toContain("webhooks to Leadline registered");
    expect(await page.locator("#fub-connect").isHidden()).toBe(true);
    const status = await fub();
    expect(status).toMatchObject({ connected: true, webhooksRegistered: true, webhookError: null });
    // The sandbox's Slack users were matched to their FUB users by email.
    expect(status.users.map((u) => u.email).sort()).toEqual(["maria@sandbox.test", "sam@sandbox.test"]);
  });

  it("a person added in FUB is a lead card in #leads, owned by their FUB agent, and listed in the panel", async () => {
    await page.fill("#fub-name", "Fiona Fromfub");
    await page.fill("#fub-phone", "(312) 555-0142");
    const maria = [...sandbox.fub.sim.store.users.values()].find((u) => u.email === "maria@sandbox.test")!;
    await page.selectOption("#fub-assigned", String(maria.id));
    await page.click("#fub-add");

    await page.locator('#fub-people [data-fub-person="Fiona Fromfub"]').waitFor();
    const card = page.locator("#messages > li.message", { hasText: "Fiona Fromfub" }).first();
    await card.waitFor({ timeout: 15_000 });
    expect(await card.textContent()).toContain("New lead from Follow Up Boss");
    const lead = await sandbox.leadline.deps.leads.findByPhone(sandbox.ws, "+13125550142");
    expect(lead).toMatchObject({ name: "Fiona Fromfub", ownerSlackId: SANDBOX_USERS.admin.id });
    await expect.poll(() => page.locator("#fub-deliveries li").first().textContent()).toMatch(/peopleCreated.*→ 200/);
  });

  it("the call made from that card is logged once in FUB; an outcome tapped later updates the same FUB call", async () => {
    const card = page.locator("#messages > li.message", { hasText: "Fiona Fromfub" }).first();
    await card.locator('[data-action-id="call_live"]').first().click();
    const line = card.locator(".thread li.message", { hasText: "Live call" }).last();
    await expect.poll(() => line.textContent(), { timeout: 20_000 }).toContain("completed");

    const logged = page.locator('#fub-activity [data-fub-call="Fiona Fromfub"]');
    await logged.waitFor({ timeout: 15_000 });
    const call = await sandbox.leadline.deps.db.call.findFirstOrThrow({ where: { toNumber: "+13125550142" } });
    expect(await logged.textContent()).toContain(`Call SID: ${call.twilioSid}`);
    expect(await logged.textContent()).toContain("Maria Lopez");

    await line.locator('[data-action-id="outcome_not_interested"]').click();
    await expect.poll(() => logged.textContent(), { timeout: 15_000 }).toContain("Not Interested");
    expect(await page.locator('#fub-activity [data-fub-call="Fiona Fromfub"]').count()).toBe(1);
    expect([...sandbox.fub.sim.calls.values()].filter((c) => c.note?.includes(call.twilioSid!))).toHaveLength(1);

    await page.locator("#fub").scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, "sandbox-fub-panel.png") });
    await page.locator("#fub").screenshot({ path: join(ARTIFACTS, "sandbox-fub-panel-only.png") });
  });
});
