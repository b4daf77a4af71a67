import { join } from "node:path";
import { DateTime } from "luxon";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SANDBOX_CHANNEL, SANDBOX_TWILIO, type Sandbox } from "../../sandbox/sandbox.js";
import { ARTIFACTS, type ConsolePage, needsChromium, openConsole } from "../helpers/console-page.js";

let browserConsole: ConsolePage;
let sandbox: Sandbox;
let page: Page;
let realShift = 0;
const logs: string[] = [];

beforeAll(async () => {
  if (needsChromium) return;
  // A newcomer at night: this machine's clock is moved to the next 00:30 in New York, outside calling hours.
  const night = DateTime.now().setZone("America/New_York").plus({ days: 1 }).set({ hour: 0, minute: 30 });
  realShift = night.toMillis() - Date.now();
  browserConsole = await openConsole({
    name: "leadline-sandbox",
    logTo: logs,
    realNow: () => new Date(Date.now() + realShift),
  });
  ({ sandbox, page } = browserConsole);
}, 60_000);

afterAll(async () => {
  await browserConsole?.close();
});

const type = (text: string) => browserConsole.type(text);
const modal = () => browserConsole.modal();
const field = (blockId: string) => browserConsole.field(blockId);

/** Sets the console's calling clock through its form: "Pretend it is <local> in <zone>". */
async function setClock(pretend: { local: string; zone: string }) {
  await page.check('input[name="clock-mode"][value="pretend"]');
  await page.fill("#clock-local", pretend.local);
  await page.selectOption("#clock-zone", pretend.zone);
  await page.click("#clock-set");
  await expect.poll(() => sandbox.clock.view().local).toBe(pretend.local);
}

/** The call line for a mode inside the card's thread, once it reads `completed`. */
async function callCompletes(card: Locator, mode: string): Promise<string> {
  const line = card.locator(".thread li.message", { hasText: mode }).last();
  await expect.poll(async () => line.textContent(), { timeout: 20_000 }).toContain("completed");
  return (await line.textContent()) ?? "";
}

describe.skipIf(needsChromium)("sandbox console in a real browser", () => {
  it("adds a lead with consent, calls it in each mode and sees each call complete with its note", async () => {
    await type("/lead add");
    await modal().waitFor();
    await field("lead_name").fill("Paula Prospect");
    await field("lead_phone").fill("(201) 555-0110");
    await field("lead_source").fill("Sandbox test");
    await modal().locator('[data-input-block="lead_consent"] select').selectOption("web form");
    await field("lead_consent_text").fill("I agree to receive prerecorded calls from the team at this number.");
    await modal().locator("button[type=submit]").click();
    await modal().waitFor({ state: "detached" });

    const card = page.locator("#messages > li.message", { hasText: "Paula Prospect" }).first();
    await card.waitFor();
    // Consent to prerecorded calls: every mode is offered, the live call first.
    const buttons = await card
      .locator(".actions [data-action-id]")
      .evaluateAll((nodes) => nodes.map((node) => (node as HTMLElement).dataset.actionId));
    expect(buttons.slice(0, 4)).toEqual(["call_live", "call_message", "call_bridge", "call_browser"]);
    expect(buttons).toContain("lead_dnc");

    // Live call: the agent's phone rings first, then the lead is dialed and the line follows the lead's leg.
    await card.locator('[data-action-id="call_live"]').first().click();
    const live = await callCompletes(card, "Live call");
    expect(live).toMatch(/(is calling|called) Paula Prospect/);
    expect(live).toMatch(/completed \(\d+s\)/);
    expect(live).toMatch(/Call SID CA[0-9a-f]{32}/);
    const events = page.locator("#twilio-events");
    await expect.poll(() => events.textContent()).toContain('says: "Connecting you to Paula Prospect."');
    expect(await events.textContent()).toContain("+12015550110 answered; talking");
    await page.screenshot({ path: join(ARTIFACTS, "sandbox-live-call.png") });

    // Message call: the lead hears the message, the 1/9 menu, then the call ends.
    await card.locator('[data-action-id="call_message"]').first().click();
    const message = await callCompletes(card, "Message call");
    expect(message).toContain("answered by a person");

    // Voice bridge: the message, then the agent's phone is dialled.
    await card.locator('[data-action-id="call_bridge"]').first().click();
    const bridge = await callCompletes(card, "Voice bridge");
    expect(bridge).toContain("completed");

    // Browser call: the clicker gets a link; the softphone page places the call through the TwiML App.
    await card.locator('[data-action-id="call_browser"]').first().click();
    const link = page.locator("li.message.ephemeral a.button", { hasText: "Open the browser phone" }).last();
    await link.waitFor();
    const [phone] = await Promise.all([page.context().waitForEvent("page"), link.click()]);
    await phone.waitForSelector("#call:not([disabled])");
    await phone.click("#call");
    await expect.poll(() => phone.textContent("#status"), { timeout: 20_000 }).toBe("Call ended");
    await phone.close();
    const browserLine = await callCompletes(card, "Browser call");
    expect(browserLine).toContain("Paula Prospect");

    // Every call went from its first status to completed, and each left its notes on the lead.
    const lines = sandbox.workspace.messages.filter(
      (message) => message.channel === SANDBOX_CHANNEL && / (is calling|called) \*Paula Prospect\*/.test(message.text),
    );
    expect(lines).toHaveLength(4);
    for (const line of lines) {
      expect(line.history?.[0]).toMatch(/· (dialing|queued|initiated|ringing|in progress)/);
      expect(line.text).toMatch(/· completed/);
    }
    const lead = (await sandbox.leadline.deps.leads.search(sandbox.ws, "Paula")).leads[0]!;
    const detail = await sandbox.leadline.deps.leads.detail(sandbox.ws, lead.id);
    const notes = detail!.notes.map((note) => note.body);
    expect(
      notes.filter((body) => body.startsWith("[Outbound Call] Initiated from +12015550100 to +12015550110")),
    ).toHaveLength(4);
    expect(notes.filter((body) => body.startsWith("[Call Completed]"))).toHaveLength(4);

    await type("/lead Paula");
    const found = page.locator("li.message.ephemeral", { hasText: "1 lead found" }).last();
    await found.waitFor();
    await expect.poll(() => found.textContent()).toContain("[Call Completed]");

    // Every block and element the app sent was rendered, none shown as a placeholder.
    expect(await page.locator(".unknown").count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, "sandbox-channel.png"), fullPage: true });
  }, 120_000);

  it("at night the calling clock pretends a weekday morning and says so; real time and 6 AM block a call, 11 AM places it", async () => {
    // Started at 00:30 in New York: the console pretends it is 11 AM on a weekday, and says why.
    expect(await page.textContent("#clock-mode")).toBe("Pretend");
    await expect.poll(() => page.textContent("#clock-time")).toMatch(/11:\d\d:\d\d AM E[SD]T in New York/);
    const note = (await page.textContent("#clock-note")) ?? "";
    expect(note).toMatch(/For real it is \w+ 12:3\d AM in New York/);
    expect(note).toContain('Choose "Real time" to watch calling law block a call.');
    expect(await page.locator("#messages li.message", { hasText: "so the sandbox pretends it is" }).count()).toBe(1);
    await page.locator("#clock").screenshot({ path: join(ARTIFACTS, "sandbox-clock.png") });

    await type("/lead add");
    await modal().waitFor();
    await field("lead_name").fill("Nate Newyork");
    await field("lead_phone").fill("(212) 555-0111");
    await modal().locator("button[type=submit]").click();
    await modal().waitFor({ state: "detached" });
    const card = page.locator("#messages > li.message", { hasText: "Nate Newyork" }).first();
    await card.waitFor();
    // No consent: live and browser calls only.
    expect(await card.locator('[data-action-id="call_message"]').count()).toBe(0);
    expect(await card.locator('[data-action-id="call_live"]').count()).toBe(1);
    const created = sandbox.twilio.calls.size;
    const refusals = page.locator("li.message.ephemeral", { hasText: "Not calling Nate Newyork now" });

    // Real time (half past midnight there): blocked.
    await page.check('input[name="clock-mode"][value="real"]');
    await page.click("#clock-set");
    await expect.poll(() => page.textContent("#clock-mode")).toBe("Real time");
    expect(await page.isHidden("#clock-note")).toBe(true);
    expect(Math.abs(sandbox.leadline.deps.clock.callingNow().getTime() - (Date.now() + realShift))).toBeLessThan(1_000);
    await card.locator('[data-action-id="call_live"]').first().click();
    await expect.poll(() => refusals.count()).toBe(1);
    expect(await refusals.last().textContent()).toMatch(/It is 12:3\d AM in New York/);

    // Pretend 6 AM in New York: blocked, with the reasons.
    await setClock({ local: "2026-12-01T06:00", zone: "America/New_York" });
    await expect.poll(() => page.textContent("#clock-time")).toMatch(/Tue, Dec 1, 6:0\d:\d\d AM EST in New York/);
    expect(await page.textContent("#topbar-clock")).toContain("Pretend: Tue, Dec 1, 6:0");
    await card.locator('[data-action-id="call_live"]').first().click();
    await expect.poll(() => refusals.count()).toBe(2);
    const refusal = refusals.last();
    const said = (await refusal.textContent()) ?? "";
    expect(said).toContain("calling law blocks it. Nothing was dialed.");
    expect(said).toMatch(/It is 6:0\d AM in New York \(Eastern\), where \+1 212 555 0111 is/);
    expect(said).toContain("8:00 AM until 9:00 PM");
    expect(said).toMatch(/Next allowed: 8:00 AM ET/);
    expect(sandbox.twilio.calls.size).toBe(created);
    await refusal.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, "sandbox-compliance-block.png") });

    // Pretend 11 AM: the same card's Call goes through.
    await setClock({ local: "2026-12-01T11:00", zone: "America/New_York" });
    await expect.poll(() => page.textContent("#clock-time")).toMatch(/11:0\d:\d\d AM EST/);
    await card.locator('[data-action-id="call_live"]').first().click();
    const line = await callCompletes(card, "Live call");
    expect(line).toContain("Nate Newyork");
    expect([...sandbox.twilio.calls.values()].filter((call) => call.to === "+12125550111")).toHaveLength(1);
  }, 90_000);

  it("refuses a wrong Auth Token inline in /twilio-setup, then saves the fixed one", async () => {
    await type("/twilio-setup");
    await modal().waitFor();
    expect(await modal().locator(".unknown").count()).toBe(0);
    await field("setup_account_sid").fill(SANDBOX_TWILIO.accountSid);
    await field("setup_auth_token").fill("0".repeat(32));
    await field("setup_phone_number").fill("+1 201 555 0100");
    await modal().locator("button[type=submit]").click();
    const error = modal().locator(`[data-input-block="setup_auth_token"] .error`);
    await error.waitFor();
    expect(await error.textContent()).toContain("Account SID or Auth Token is wrong");
    // The typed values are still there to fix.
    expect(await field("setup_phone_number").inputValue()).toBe("+1 201 555 0100");
    const audit = logs.join("");
    expect(audit).not.toContain(SANDBOX_TWILIO.authToken);

    await field("setup_auth_token").fill(SANDBOX_TWILIO.authToken);
    await modal().locator("button[type=submit]").click();
    await expect.poll(async () => modal().textContent(), { timeout: 10_000 }).toContain("Twilio is connected");
    expect(await modal().locator(".error").count()).toBe(0);
    const saved = await sandbox.leadline.deps.settings.get(sandbox.ws);
    expect(saved.authToken).toBe(SANDBOX_TWILIO.authToken);
    await page.screenshot({ path: join(ARTIFACTS, "sandbox-twilio-setup.png") });
  }, 60_000);

  it("shows Block Kit it does not know as a visible placeholder", async () => {
    await page
      .locator(".modal footer button", { hasText: /close|cancel|done/i })
      .first()
      .click()
      .catch(() => {});
    sandbox.workspace.post({
      channel: SANDBOX_CHANNEL,
      text: "future blocks",
      blocks: [
        { type: "section", text: { type: "mrkdwn", text: "*Known* block" } },
        { type: "table", rows: [] },
        { type: "actions", elements: [{ type: "multi_conversations_select", action_id: "who" }] },
      ],
    });
    const message = page.locator("li.message", { hasText: "Known block" });
    await message.waitFor();
    expect(await message.locator(".unknown").allTextContents()).toEqual([
      "Unsupported block: table",
      "Unsupported element: multi_conversations_select",
    ]);
  });
});
