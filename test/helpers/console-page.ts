import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { DateTime } from "luxon";
import type { Browser, Locator, Page } from "playwright-core";
import { type Sandbox, startSandbox } from "../../sandbox/sandbox.js";
import { createLogger } from "../../src/lib/log.js";

// The start-up every browser test shares: Debian's Chromium through playwright-core, a sandbox on a
// temporary data directory, and the sandbox console open in a page, ready for a person's clicks.

export const CHROMIUM = "/usr/bin/chromium";
/** Screenshots the browser tests save, to be looked at. */
export const ARTIFACTS = new URL("../artifacts/", import.meta.url).pathname;
/** CI installs Debian chromium (.ci/run), so there these tests must run; elsewhere they need the package. */
export const needsChromium = !existsSync(CHROMIUM) && !process.env.CI;

/** Headless Chromium with no network of its own beyond what a page asks for. */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-background-networking", ...extraArgs],
  });
}

export interface ConsoleOptions {
  /** Prefix of the temporary data directory, so a leftover one says which test left it. */
  name: string;
  /** Log lines at info level are pushed here; without it the sandbox logs nothing. */
  logTo?: string[];
  /** Real time as the sandbox sees it (its calling clock's default). */
  realNow?: () => Date;
  /** The Slack user the console acts as (`?user=`); the console's default otherwise. */
  user?: string;
}

export interface ConsolePage {
  /** The running sandbox; `restart()` replaces it. */
  readonly sandbox: Sandbox;
  readonly page: Page;
  readonly dir: string;
  /** Types a line into the composer and sends it, as a person does. */
  type(text: string): Promise<void>;
  /** The open modal. */
  modal(): Locator;
  /** The input (or text area) of a modal's input block. */
  field(blockId: string): Locator;
  /** Opens (or reopens) the console and waits until it has drawn. */
  open(): Promise<void>;
  /** Leaves the console, stops the sandbox and starts it again on the same data directory (then `open()`). */
  restart(): Promise<void>;
  /** Closes the browser, stops the sandbox and removes its data. */
  close(): Promise<void>;
}

function loggerFor(lines: string[] | undefined) {
  if (!lines) return createLogger("silent");
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(String(chunk));
      callback();
    },
  });
  return createLogger("info", sink);
}

/** Starts a sandbox and opens its console in headless Chromium (call it only when `!needsChromium`). */
export async function openConsole(options: ConsoleOptions): Promise<ConsolePage> {
  const dir = mkdtempSync(join(tmpdir(), `${options.name}-`));
  const start = () =>
    startSandbox({
      log: loggerFor(options.logTo),
      port: 0,
      dataDir: dir,
      pace: 0.08,
      env: {},
      ...(options.realNow ? { realNow: options.realNow } : {}),
    });
  let sandbox = await start();
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  mkdirSync(ARTIFACTS, { recursive: true });
  const modal = () => page.locator(".modal");
  const consolePage: ConsolePage = {
    get sandbox() {
      return sandbox;
    },
    page,
    dir,
    async type(text) {
      await page.fill("#composer-input", text);
      await page.press("#composer-input", "Enter");
    },
    modal,
    field: (blockId) =>
      modal().locator(`[data-input-block="${blockId}"] input, [data-input-block="${blockId}"] textarea`),
    async open() {
      await page.goto(`${sandbox.consoleUrl}/sandbox${options.user ? `?user=${options.user}` : ""}`);
      await page.waitForSelector("body[data-ready=true]");
    },
    async restart() {
      // The page leaves the console first, as a person's tab does when the sandbox stops.
      await page.goto("about:blank");
      await sandbox.stop();
      sandbox = await start();
    },
    async close() {
      await browser.close();
      await sandbox.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await consolePage.open();
  return consolePage;
}

/**
 * A weekday 11:00 in New York after today (Monday to `lastWeekday`): a browser test moves the sandbox's
 * real time there so calling hours allow its calls, whatever this machine's time.
 */
export function nextWeekdayMorning(lastWeekday = 5): DateTime {
  let day = DateTime.now().setZone("America/New_York").plus({ days: 1 }).set({ hour: 11, minute: 0 });
  while (day.weekday > lastWeekday) day = day.plus({ days: 1 });
  return day;
}

/** Opens the console as `user` with the sandbox's real time moved to `at` (see nextWeekdayMorning). */
export function openConsoleAt(name: string, at: DateTime, user: string): Promise<ConsolePage> {
  const shift = at.toMillis() - Date.now();
  return openConsole({ name, realNow: () => new Date(Date.now() + shift), user });
}
