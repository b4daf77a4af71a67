import type { Call, Lead } from "@prisma/client";
import type { TwilioSettings } from "../../src/services/setup/settings.js";
import { type TestApp, withConsent } from "../helpers/app.js";

// The only places these tests reach past HTTP into Leadline's services and tables: to set a scene
// faster than through Slack, or one no user could make (a row a crash left, a number that skipped
// every check). Leadline's data layer is being reworked; when its API changes, adapt this file.
// Every service and every row belongs to a workspace: here always the test app's own (`t.ws`).

type App = Pick<TestApp, "app" | "ws">;

export function saveTwilioSettings(t: App, values: TwilioSettings, actor = "U0ADMIN01"): Promise<unknown> {
  return t.app.deps.settings.save(t.ws, values, actor);
}

export function clearTwilioSettings(t: App): Promise<unknown> {
  return t.app.deps.settings.clear(t.ws, "test");
}

export function twilioSettings(t: App): Promise<TwilioSettings> {
  return t.app.deps.settings.get(t.ws);
}

export function unreadableSettings(t: App): Promise<string[]> {
  return t.app.deps.settings.unreadable(t.ws);
}

/**
 * A lead, as one from a web form arrives: with a phone, also the lead's consent to prerecorded calls
 * (what message calls and voice bridges need), so a click is judged on what each test is about.
 */
export async function addLead(t: App, name: string, phone?: string): Promise<Lead> {
  const lead = await t.app.deps.leads.create(t.ws, { name, phone, author: "seed" });
  return lead.phone ? withConsent(t.app, t.ws, lead) : lead;
}

export function agentPhoneOf(t: App, userId: string): Promise<string | undefined> {
  return t.app.deps.agentPhones.own(t.ws, userId);
}

/** An agent's phone written straight into its row, past the checks a save makes. */
export function writeAgentPhoneRow(t: App, userId: string, phone: string): Promise<unknown> {
  return t.app.deps.db.agentSetting.create({ data: { workspaceId: t.ws, slackUserId: userId, phone } });
}

/** A call row written straight into the table (what Leadline writes before it asks Twilio, or after). */
export function writeCallRow(
  t: App,
  row: Pick<Call, "leadId" | "activeLeadId" | "mode" | "fromNumber" | "toNumber" | "status" | "placedBy"> &
    Partial<Pick<Call, "twilioSid" | "slackChannel" | "slackThreadTs" | "createdAt">>,
): Promise<Call> {
  return t.app.deps.db.call.create({ data: { workspaceId: t.ws, ...row } });
}

/** A browser-phone link row (what a Browser click hands out), written straight into the table. */
export function writeBrowserLinkRow(
  t: App,
  row: { id: string; leadId: number; slackUserId: string; expiresAt: Date },
): Promise<unknown> {
  return t.app.deps.db.browserLink.create({ data: { workspaceId: t.ws, ...row } });
}

/** Waits for the work a test's clicks left running (posting lines, notes) before the next test wipes tables. */
export function backgroundWorkDone(t: App): Promise<void> {
  return t.app.deps.tasks.drain(10_000);
}

/** Whether the lead's number is on the team's do-not-call list (kept by phone, not on the lead). */
export async function isDoNotCall(t: App, leadId: number): Promise<boolean> {
  const lead = await t.app.deps.db.lead.findUniqueOrThrow({ where: { id: leadId } });
  if (!lead.phone) return false;
  return (await t.app.deps.dnc.check(t.ws, lead.phone)).entry !== undefined;
}

/** Puts the lead's number on the team's do-not-call list, as `/dnc add` does. */
export async function writeDoNotCall(t: App, leadId: number): Promise<unknown> {
  const lead = await t.app.deps.db.lead.findUniqueOrThrow({ where: { id: leadId } });
  if (!lead.phone) throw new Error(`lead #${leadId} has no phone to put on the do-not-call list`);
  return t.app.deps.dnc.add(t.ws, lead.phone, "command", "seed");
}

/** Flips one bit of a stored secret's ciphertext, as someone with write access to the database could. */
export async function tamperWithSecret(t: App, name: string): Promise<void> {
  const where = { workspaceId_name: { workspaceId: t.ws, name } };
  const row = await t.app.deps.db.secret.findUniqueOrThrow({ where });
  const altered = Buffer.from(row.ciphertext);
  altered[0] = altered[0]! ^ 0x01;
  await t.app.deps.db.secret.update({ where, data: { ciphertext: new Uint8Array(altered) } });
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
