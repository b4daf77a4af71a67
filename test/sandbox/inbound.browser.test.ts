import { join } from "node:path";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SANDBOX_TWILIO, type Sandbox } from "../../sandbox/sandbox.js";
import { ARTIFACTS, type ConsolePage, needsChromium, openConsole } from "../helpers/console-page.js";

// A lead calling back, played from the console in a real browser: the "Lead calls back" control on a
// call's line, the line that follows the call in the thread, the voicemail and its transcript.

let browserConsole: ConsolePage;
let sandbox: Sandbox;
let page: Page;

beforeAll(async () => {
  if (needsChromium) return;
  browserConsole = await openConsole({ name: "leadline-sandbox-inbound" });
  ({ sandbox, page } = browserConsole);
  // A weekday morning in New York: the live call to Jane before her callback is inside calling hours.
  sandbox.clock.set({ mode: "pretend", local: "2026-12-01T11:00", zone: "America/New_York" });
}, 60_000);

afterAll(async () => {
  await browserConsole?.close();
});

const type = (text: string) => browserConsole.type(text);

/**
 * Scrolls a message into view and takes a screenshot once the console stops redrawing: every
 * simulated call has ended, and each redraw replaces the list the message is in.
 */
async function screenshotAt(target: Locator, name: string) {
  await expect
    .poll(() =>
      [...sandbox.twilio.calls.values()].every((call) => /completed|no-answer|busy|failed|canceled/.test(call.status)),
    )
    .toBe(true);
  for (let attempt = 0; ; attempt += 1) {
    try {
      await target.scrollIntoViewIfNeeded({ timeout: 2_000 });
      break;
    } catch (error) {
      if (attempt >= 5) throw error;
    }
  }
  await page.screenshot({ path: join(ARTIFACTS, name) });
}

/** The inbound line of the newest callback, in a thread, once its text matches. */
async function inboundLine(contains: string): Promise<Locator> {
  const line = page.locator(".thread li.message", { hasText: "called back" }).last();
  await expect.poll(async () => line.textContent(), { timeout: 20_000 }).toContain(contains);
  return line;
}

describe.skipIf(needsChromium)("a lead calls back, played from the sandbox console", () => {
  it("shows the team's number connected to Leadline in the panel", async () => {
    const state = page.locator("#inbound-state");
    await expect
      .poll(() => state.textContent())
      .toBe("+1 201 555 0100 → Leadline (its Voice URL points at Leadline's inbound route).");
    expect(await page.isHidden("#inbound-connect")).toBe(true);
    expect(await page.locator('input[name="inbound-agent"]').count()).toBe(2);
  });

  it("nobody answers: the line in the call's thread shows the missed call, the voicemail file and its transcript", async () => {
    await type("/call-lead Jane");
    const card = page.locator("li.message.ephemeral", { has: page.locator('[data-action-id="call_live"]') }).last();
    await card.waitFor();
    await card.locator('[data-action-id="call_live"]').first().click();
    const callLine = page.locator("li.message", { hasText: /Jane Doe.*Live call · completed/ }).last();
    await callLine.waitFor({ timeout: 20_000 });

    const strip = callLine.locator(':scope > [data-testid="callback"]');
    expect(await strip.textContent()).toBe("Sandbox Lead calls back:Agent answersNobody answers → voicemail");
    await strip.locator('[data-callback="no-answer"]').click();

    const line = await inboundLine("voicemail left");
    const text = (await line.textContent()) ?? "";
    expect(text).toMatch(/📲 Jane Doe called back \(\+1 ••• ••• 0101\) · missed, voicemail left \(\d+s\)/);
    expect(text).toMatch(/Inbound call · Call SID CA[0-9a-f]{32} · lead #\d+/);
    for (const button of ["Call back", "Schedule", "History"])
      expect(await line.locator("button", { hasText: button }).count()).toBe(1);
    const thread = line.locator("xpath=..");
    const file = thread.locator("a.file", { hasText: "Voicemail from Jane Doe" });
    await file.waitFor({ timeout: 20_000 });
    // Leadline titles the file with an emoji code; a file title is plain text, so it shows as typed.
    expect(await file.textContent()).toMatch(/📎 :studio_microphone: Voicemail from Jane Doe \(\d+s\)\. \(\d+ bytes\)/);
    const transcript = thread.locator("li.message", { hasText: "Voicemail transcript" });
    await transcript.waitFor({ timeout: 20_000 });
    expect(await transcript.textContent()).toContain(
      "📝 Voicemail transcript: “Hi, this is Jane Doe returning your call about the house. Please call me back this afternoon.”",
    );
    // The file link serves the audio the simulated Twilio recorded.
    const audio = await page.request.get(`${sandbox.consoleUrl}${await file.getAttribute("href")}`);
    expect((await audio.body()).subarray(0, 3).toString("latin1")).toBe("ID3");

    const events = page.locator("#twilio-events");
    await expect.poll(() => events.textContent()).toContain("transcription completed");
    expect(await events.textContent()).toContain("beep: recording");
    expect(await events.textContent()).toContain(`dialing ${SANDBOX_TWILIO.agentPhone}`);
    expect(await page.locator(".unknown").count()).toBe(0);
    await screenshotAt(transcript, "sandbox-inbound-voicemail.png");
  }, 90_000);

  it("the agent answers: the whisper, the key press, and the line answered by @maria with the talk time", async () => {
    const callLine = page.locator("li.message", { hasText: /Jane Doe.*Live call · completed/ }).last();
    await callLine.locator(':scope > [data-testid="callback"] [data-callback="answers"]').click();
    const line = await inboundLine("answered by @maria, ");
    expect(await line.textContent()).toMatch(/📲 Jane Doe called back \(\+1 ••• ••• 0101\) · answered by @maria, \d+s/);
    const events = page.locator("#twilio-events");
    await expect.poll(() => events.textContent()).toContain('says: "Call from lead Jane Doe. Press 1 to answer."');
    expect(await events.textContent()).toContain("presses 1");
    expect(await events.textContent()).toContain(`${SANDBOX_TWILIO.agentPhone} answered; talking`);
    await screenshotAt(line, "sandbox-inbound-answered.png");
  }, 60_000);

  it("an unknown caller typed into the number box gets a line with Add as lead, prefilled with their number", async () => {
    await page.fill("#inbound-from", "(201) 555-0142");
    await page.check('input[name="inbound-agent"][value="no-answer"]');
    await page.click("#inbound-call");
    const line = page.locator("#messages > li.message", { hasText: "An unknown caller" }).last();
    await expect.poll(async () => line.textContent(), { timeout: 20_000 }).toContain("voicemail left");
    expect(await line.textContent()).toMatch(
      /📲 An unknown caller called \(\+1 ••• ••• 0142\) · missed, voicemail left/,
    );
    const strip = line.locator(':scope > [data-testid="callback"]');
    expect(await strip.textContent()).toContain("Caller calls again:");
    await line.locator('[data-action-id="lead_add_open"]').click();
    const modal = page.locator(".modal");
    await modal.waitFor();
    expect(await modal.locator('[data-input-block="lead_phone"] input').inputValue()).toBe("+12015550142");
    await screenshotAt(modal, "sandbox-inbound-unknown.png");
    await modal
      .locator("footer button", { hasText: /cancel|close/i })
      .first()
      .click();
    await modal.waitFor({ state: "detached" });
  }, 60_000);
});
