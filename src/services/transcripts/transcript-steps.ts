import type { CallTranscript } from "@prisma/client";
import type { Clock } from "../../lib/clock.js";
import type { Logger } from "../../lib/log.js";
import type { Intelligence, Sentence } from "../twilio/intelligence.js";
import type { TranscriptLine } from "./summary-request.js";
import type { SummarySettingsService } from "./summary-settings.js";
import type { TranscriptNotifier } from "./transcript-notifier.js";
import type { TranscriptStore } from "./transcript-store.js";

/** How often a transcript Twilio is still working on is asked about. */
export const POLL_MS = 15_000;
/** Failures (Twilio unreachable, refusing) before a transcript is given up. */
const MAX_ATTEMPTS = 8;
/** A transcript not done after this long is given up. */
const GIVE_UP_MS = 6 * 3600_000;

export const backoffMs = (attempts: number) => Math.min(30 * 60_000, 15_000 * 2 ** Math.max(0, attempts - 1));

/** The sentences as stored and shown: agent / lead by the recording's channel. */
export function linesOf(sentences: readonly Sentence[], leadChannel: number): TranscriptLine[] {
  return sentences.map((s) => ({
    speaker: s.channel === leadChannel ? "lead" : "agent",
    startSec: s.start,
    text: s.text,
  }));
}

export interface StepDeps {
  store: TranscriptStore;
  settings: Pick<SummarySettingsService, "get">;
  intelligence: Intelligence;
  notifier: TranscriptNotifier;
  clock: Clock;
  log: Logger;
  /** Between asking Twilio and asking whether it is done (default POLL_MS). */
  pollMs?: number;
  /** A Slack user's display name, for the transcript's agent label. */
  nameOf?: (ws: number, userId: string) => Promise<string | undefined>;
  /** Called once a transcript is posted: its summary may be asked for. */
  posted: (row: CallTranscript) => Promise<void>;
}

/** One step of a claimed transcript: ask Twilio, read it when done, post it. Errors back off. */
export async function advanceTranscript(deps: StepDeps, row: CallTranscript): Promise<void> {
  const now = deps.clock.now();
  try {
    if (row.status === "requested") await create(deps, row);
    else if (row.status === "queued" || row.status === "in-progress") await poll(deps, row);
    else if (row.status === "completed") await post(deps, row);
  } catch (error) {
    const attempts = row.attempts + 1;
    const code = (error as { code?: unknown; status?: unknown }).code ?? (error as { status?: unknown }).status;
    // Only Twilio's code goes in the log and the row: an error's text could quote the call.
    deps.log.warn({ transcriptId: row.id, callId: row.callId, code, attempts }, "transcript step failed");
    const giveUp = attempts >= MAX_ATTEMPTS;
    await deps.store.updateTranscript(row.id, {
      attempts,
      lastError: `step ${row.status} failed${code ? ` (${String(code)})` : ""}`,
      nextCheckAt: new Date(now.getTime() + backoffMs(attempts)),
      ...(giveUp ? { status: "failed" } : {}),
    });
    if (giveUp) await tellFailed(deps, row);
  }
}

async function create(deps: StepDeps, row: CallTranscript): Promise<void> {
  const ws = row.workspaceId;
  const settings = await deps.settings.get(ws);
  if (!settings.transcripts || !settings.serviceSid) {
    await deps.store.updateTranscript(row.id, { status: "off", lastError: "transcripts are off for the workspace" });
    return;
  }
  // An earlier create whose answer was lost may have made it: find it by the recording, never make two.
  const earlier =
    row.attempts > 0 ? await deps.intelligence.findTranscript(ws, settings.serviceSid, row.recordingSid) : undefined;
  const sid =
    earlier ??
    (await deps.intelligence.createTranscript(ws, {
      serviceSid: settings.serviceSid,
      recordingSid: row.recordingSid,
      customerKey: `leadline-call-${row.callId}`,
      leadChannel: row.leadChannel,
    }));
  await deps.store.updateTranscript(row.id, {
    transcriptSid: sid,
    serviceSid: settings.serviceSid,
    status: "queued",
    attempts: 0,
    lastError: null,
    nextCheckAt: new Date(deps.clock.now().getTime() + (deps.pollMs ?? POLL_MS)),
  });
}

async function poll(deps: StepDeps, row: CallTranscript): Promise<void> {
  const ws = row.workspaceId;
  const state = await deps.intelligence.status(ws, row.transcriptSid!);
  const now = deps.clock.now();
  if (state === "completed") {
    const sentences = await deps.intelligence.sentences(ws, row.transcriptSid!);
    const json = JSON.stringify(sentences);
    await deps.store.updateTranscript(row.id, { status: "completed", sentences: json, attempts: 0, nextCheckAt: now });
    await post(deps, { ...row, status: "completed", sentences: json });
    return;
  }
  if (state === "failed" || state === "canceled" || now.getTime() - row.createdAt.getTime() > GIVE_UP_MS) {
    await deps.store.updateTranscript(row.id, { status: "failed", lastError: `Twilio: ${state}` });
    await tellFailed(deps, row);
    return;
  }
  await deps.store.updateTranscript(row.id, {
    status: state,
    nextCheckAt: new Date(now.getTime() + (deps.pollMs ?? POLL_MS)),
  });
}

async function post(deps: StepDeps, row: CallTranscript): Promise<void> {
  const call = await deps.store.call(row.callId);
  if (!call) return;
  const sentences = JSON.parse(row.sentences ?? "[]") as Sentence[];
  const agentName = await deps.nameOf?.(call.workspaceId, call.placedBy).catch(() => undefined);
  const uploaded = await deps.notifier.transcript(call, linesOf(sentences, row.leadChannel), agentName);
  if (!uploaded.posted) throw Object.assign(new Error("the transcript could not be posted"), { code: "post" });
  const now = deps.clock.now();
  const { retentionDays } = await deps.settings.get(row.workspaceId);
  await deps.store.updateTranscript(row.id, {
    status: "posted",
    postedAt: now,
    slackFileId: uploaded.fileId ?? null,
    attempts: 0,
    lastError: null,
    purgeAt: new Date(now.getTime() + retentionDays * 86_400_000),
  });
  await deps.posted({ ...row, status: "posted" });
}

async function tellFailed(deps: StepDeps, row: CallTranscript): Promise<void> {
  const call = await deps.store.call(row.callId);
  if (call) await deps.notifier.transcriptFailed(call).catch(() => undefined);
}
