import type { Call, Lead } from "@prisma/client";
import type { TwilioSettings } from "../../src/services/setup/settings.js";
import type { TestApp } from "../helpers/app.js";

// The only places these tests reach past HTTP into Leadline's services and tables: to set a scene
// faster than through Slack, or one no user could make (a row a crash left, a number that skipped
// every check). Leadline's data layer is being reworked; when its API changes, adapt this file.

type App = Pick<TestApp, "app">;

export function saveTwilioSettings(t: App, values: TwilioSettings, actor = "U0ADMIN01"): Promise<unknown> {
  return t.app.deps.settings.save(values, actor);
}

export function clearTwilioSettings(t: App): Promise<unknown> {
  return t.app.deps.settings.clear("test");
}

export function twilioSettings(t: App): Promise<TwilioSettings> {
  return t.app.deps.settings.get();
}

export function unreadableSettings(t: App): Promise<string[]> {
  return t.app.deps.settings.unreadable();
}

export function addLead(t: App, name: string, phone?: string): Promise<Lead> {
  return t.app.deps.leads.create({ name, phone, author: "seed" });
}

export function agentPhoneOf(t: App, userId: string): Promise<string | undefined> {
  return t.app.deps.calls.agentPhone(userId);
}

/** An agent's phone written straight into its row, past the checks a save makes. */
export function writeAgentPhoneRow(t: App, userId: string, phone: string): Promise<unknown> {
  return t.app.deps.db.agentSetting.create({ data: { slackUserId: userId, phone } });
}

/** A call row written straight into the table (what Leadline writes before it asks Twilio). */
export function writeCallRow(
  t: App,
  row: Pick<Call, "leadId" | "activeLeadId" | "mode" | "fromNumber" | "toNumber" | "status" | "placedBy"> &
    Partial<Pick<Call, "slackChannel" | "slackThreadTs" | "createdAt">>,
): Promise<Call> {
  return t.app.deps.db.call.create({ data: row });
}

/** Waits for the work a test's clicks left running (posting lines, notes) before the next test wipes tables. */
export function backgroundWorkDone(t: App): Promise<void> {
  return t.app.deps.tasks.drain(10_000);
}

export async function isDoNotCall(t: App, leadId: number): Promise<boolean> {
  return (await t.app.deps.db.lead.findUniqueOrThrow({ where: { id: leadId } })).doNotCall;
}

/** Puts a lead on the do-not-call list straight in its row. */
export function writeDoNotCall(t: App, leadId: number): Promise<unknown> {
  return t.app.deps.db.lead.update({ where: { id: leadId }, data: { doNotCall: true } });
}

/** Flips one bit of a stored secret's ciphertext, as someone with write access to the database could. */
export async function tamperWithSecret(t: App, name: string): Promise<void> {
  const row = await t.app.deps.db.secret.findUniqueOrThrow({ where: { name } });
  const altered = Buffer.from(row.ciphertext);
  altered[0] = altered[0]! ^ 0x01;
  await t.app.deps.db.secret.update({ where: { name }, data: { ciphertext: new Uint8Array(altered) } });
}

/** A note written in an interactive transaction: its pages reach the disk at COMMIT (where a full disk fails). */
export function writeNoteInTransaction(
  t: App,
  leadId: number,
  author: string,
  body: string,
): Promise<{ body: string }> {
  return t.app.deps.db.$transaction((tx) => tx.note.create({ data: { leadId, author, body } }));
}
