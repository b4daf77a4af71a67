import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ids } from "../../src/lib/ids.js";
import { applySqliteMigrations } from "../../src/services/store/migrations.js";
import { CHANNEL, eventually, startTestApp, type TestApp, withConsent } from "../helpers/app.js";
import type { FakeAccount } from "../helpers/fake-twilio.js";
import { buttonClick } from "../helpers/payloads.js";

// Item 5 of issue 23: leads' numbers in channel messages (masked on a new install), and /call-stats files in a DM.

const AGENT = "U0MARIA01";
const ADMIN = "U0ADMIN01";
const FROM = "+15005550006";
const CARD_TS = "1760000000.000100";

let t: TestApp;
let account: FakeAccount;

const click = (leadId: number, channel = CHANNEL) =>
  t.interact(
    buttonClick({
      userId: AGENT,
      actionId: ids.call.messageAction,
      value: String(leadId),
      channel,
      messageTs: CARD_TS,
      responseUrl: t.slack.responseUrl(),
    }),
  );
const said = async (res: Response) => String(((await res.json()) as { text?: string }).text ?? "");
const answered = async (before: number) =>
  String((await eventually(() => t.slack.responses[before], "the command's answer")).body.text ?? "");

beforeAll(async () => {
  t = await startTestApp({ env: { ADMIN_SLACK_USER_IDS: ADMIN } });
});
afterAll(async () => {
  await t.stop();
});
beforeEach(async () => {
  t.slack.calls.length = 0;
  t.slack.responses.length = 0;
  await t.app.deps.db.call.deleteMany();
  await t.app.deps.db.note.deleteMany();
  await t.app.deps.db.lead.deleteMany();
  account = t.twilio.addAccount({ numbers: [FROM] });
  await t.app.deps.settings.save(
    t.ws,
    { accountSid: account.sid, authToken: account.token, phoneNumber: FROM, agentPhone: "+12125550199" },
    ADMIN,
  );
});

describe("leads' numbers in channel messages", () => {
  it("a new install masks them (last 4 digits); an admin can show them, and the next line shows the full number", async () => {
    expect(await t.app.deps.settings.masksNumbers(t.ws)).toBe(true);
    const jane = await t.app.deps.leads.create(t.ws, { name: "Jane Doe", phone: "+12125550182", author: "seed" });
    await withConsent(t.app, t.ws, jane);
    await click(jane.id);
    const masked = await eventually(() => t.slack.callsTo("chat.postMessage").at(-1), "the call's line");
    expect(String(masked.args.text)).toContain("*Jane Doe* (+1 ••• ••• 0182) from +1 500 555 0006");
    expect(JSON.stringify(masked.args)).not.toContain("555 0182");

    // An agent is refused and nothing changes; an admin sees the setting and turns it off.
    let before = t.slack.responses.length;
    await t.command("/twilio-setup", "privacy show", AGENT);
    expect(await answered(before)).toContain("Only Leadline admins");
    expect(await t.app.deps.settings.masksNumbers(t.ws)).toBe(true);
    before = t.slack.responses.length;
    await t.command("/twilio-setup", "privacy", ADMIN);
    expect(await answered(before)).toContain("last 4 digits");
    before = t.slack.responses.length;
    await t.command("/twilio-setup", "privacy  SHOW", ADMIN);
    expect(await answered(before)).toMatch(
      /^:white_check_mark: Saved\. :unlock: Channel messages .* show leads' full numbers/,
    );
    expect(await t.app.deps.settings.masksNumbers(t.ws)).toBe(false);
    const audit = await t.app.deps.db.auditLog.findFirstOrThrow({
      where: { action: "privacy.mask_numbers" },
      orderBy: { id: "desc" },
    });
    expect(audit).toMatchObject({ actor: ADMIN, detail: JSON.stringify({ on: false }) });

    const john = await t.app.deps.leads.create(t.ws, { name: "John Roe", phone: "+12125550183", author: "seed" });
    await withConsent(t.app, t.ws, john);
    await click(john.id);
    const full = await eventually(
      () => t.slack.callsTo("chat.postMessage").find((c) => String(c.args.text).includes("John Roe")),
      "the next call's line",
    );
    expect(String(full.args.text)).toContain("*John Roe* (+1 212 555 0183)");

    // Asking for what it already is changes nothing (no audit row); a typo gets the usage.
    before = t.slack.responses.length;
    await t.command("/twilio-setup", "privacy show", ADMIN);
    expect(await answered(before)).toMatch(/^Nothing changed\./);
    expect(await t.app.deps.db.auditLog.count({ where: { action: "privacy.mask_numbers" } })).toBe(1);
    expect(await said(await t.command("/twilio-setup", "privacy hide", ADMIN))).toContain(
      "`/twilio-setup privacy mask`",
    );
    await t.command("/twilio-setup", "privacy mask", ADMIN);
    expect(await eventually(async () => (await t.app.deps.settings.masksNumbers(t.ws)) || undefined, "masked")).toBe(
      true,
    );
  });

  it("a call placed from a DM with the bot shows the full number there", async () => {
    expect(await t.app.deps.settings.masksNumbers(t.ws)).toBe(true);
    const jane = await t.app.deps.leads.create(t.ws, { name: "Jane Doe", phone: "+12125550182", author: "seed" });
    await withConsent(t.app, t.ws, jane);
    await click(jane.id, `D${AGENT.slice(1)}`);
    const line = await eventually(() => t.slack.callsTo("chat.postMessage").at(-1), "the call's line");
    expect(String(line.args.text)).toContain("*Jane Doe* (+1 212 555 0182)");
  });
});

describe("the setting's migration", () => {
  it("a workspace in use before the setting keeps full numbers; a fresh database's unclaimed row and new ones mask them", () => {
    const dir = mkdtempSync(join(tmpdir(), "leadline-privacy-"));
    try {
      const all = join(import.meta.dirname, "..", "..", "prisma", "migrations");
      const before = join(dir, "before");
      cpSync(all, before, { recursive: true, filter: (path) => !path.includes("20261213000000_mask_numbers") });
      const file = join(dir, "old.db");
      applySqliteMigrations(file, before);
      const db = new Database(file);
      db.prepare(`INSERT INTO "Workspace" ("teamId", "updatedAt") VALUES ('T0OLD', CURRENT_TIMESTAMP)`).run();
      db.close();
      expect(applySqliteMigrations(file, all)).toEqual(["20261213000000_mask_numbers"]);
      const after = new Database(file);
      after.prepare(`INSERT INTO "Workspace" ("teamId", "updatedAt") VALUES ('T0NEW', CURRENT_TIMESTAMP)`).run();
      const rows = after.prepare(`SELECT "teamId", "maskNumbers" FROM "Workspace" ORDER BY "id"`).all();
      after.close();
      expect(rows).toEqual([
        { teamId: "", maskNumbers: 1 },
        { teamId: "T0OLD", maskNumbers: 0 },
        { teamId: "T0NEW", maskNumbers: 1 },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
