import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PROMPT_VERSION } from "../../src/services/transcripts/summary-request.js";
import { settled } from "../helpers/app.js";
import {
  finishedCall,
  intelligenceRequests,
  recordingArrives,
  resetRig,
  SCRIPT,
  startTranscriptRig,
  stopTranscriptRig,
  summaries,
  summaryCard,
  type TranscriptRig,
  threadTexts,
  tickAfter,
  transcribedCall,
  transcriptFile,
} from "../helpers/transcripts.js";

// What goes wrong on the way from a recorded call to its summary, and what Leadline does: no recording
// without the disclosure, an unusable answer, a provider that is down, slow or rate limited, summaries
// turned off, and transcripts deleted on the workspace's schedule.

let rig: TranscriptRig;

beforeAll(async () => {
  rig = await startTranscriptRig();
});
afterAll(async () => {
  await stopTranscriptRig(rig);
});
beforeEach(async () => {
  await resetRig(rig, "on");
});

const db = () => rig.t.app.deps.db;
const DAY = 86_400_000;
const unavailableLine = ":memo: Summary unavailable for this call. The transcript above is complete.";

describe("no recording, no transcript, no summary", () => {
  it("with recording off (no disclosure), Twilio records nothing and neither Intelligence nor the provider is asked", async () => {
    await rig.t.app.deps.settings.save(rig.t.ws, { recording: "off" }, "U0ADMIN01");
    const call = await finishedCall(rig, SCRIPT.buyer);
    const create = rig.t.twilio.creates().at(-1)!.params;
    expect(create.get("Record")).toBeNull();
    expect(create.get("RecordingStatusCallback")).toBeNull();
    expect(create.get("Twiml")).not.toContain("This call may be recorded.");
    await tickAfter(rig);
    await tickAfter(rig);
    expect((await db().call.findUniqueOrThrow({ where: { id: call.id } })).recordingSid).toBeNull();
    expect(await db().callTranscript.count()).toBe(0);
    expect(await db().callSummary.count()).toBe(0);
    expect(intelligenceRequests(rig).filter((r) => r.path.startsWith("/v2/Transcripts"))).toHaveLength(0);
    expect(rig.fake.requests).toHaveLength(0);
  });

  it("with transcripts off for the workspace, a recording is posted but never sent to Intelligence", async () => {
    expect(await summaries(rig, "off")).toContain("Transcripts and summaries are *off*");
    const call = await finishedCall(rig, SCRIPT.buyer);
    await recordingArrives(rig, call);
    await tickAfter(rig);
    expect(rig.t.slack.callsTo("files.completeUploadExternal")).toHaveLength(1); // the recording alone
    expect(await db().callTranscript.count()).toBe(0);
    expect(intelligenceRequests(rig).filter((r) => r.path.startsWith("/v2/Transcripts"))).toHaveLength(0);
    expect(rig.fake.requests).toHaveLength(0);
  });
});

describe("the model's answer", () => {
  it("garbage twice: one retry, then 'summary unavailable' with the transcript still posted", async () => {
    rig.fake.script({ kind: "garbage" }, { kind: "schema-invalid" });
    const call = await transcribedCall(rig, SCRIPT.buyer);
    expect(rig.fake.requests.map((r) => r.fault)).toEqual(["garbage", "schema-invalid"]);
    expect(transcriptFile(rig, call)).toContain("Please call me back Tuesday at 5.");
    expect(threadTexts(rig, call)).toContain(unavailableLine);
    expect(summaryCard(rig, call)).toBeUndefined();
    const row = await db().callSummary.findUniqueOrThrow({ where: { callId: call.id } });
    expect(row).toMatchObject({
      status: "unavailable",
      provider: "openai-compatible",
      model: "gpt-4o-mini",
      promptVersion: PROMPT_VERSION,
      json: null,
    });
    expect(row.lastError).toMatch(/^invalid answer twice: schema/);
    // Not tried again by later ticks.
    await tickAfter(rig, DAY);
    expect(rig.fake.requests).toHaveLength(2);
  });

  it("garbage once: the retry's good answer is the card", async () => {
    rig.fake.script({ kind: "garbage" });
    const call = await transcribedCall(rig, SCRIPT.seller);
    expect(rig.fake.requests).toHaveLength(2);
    expect(summaryCard(rig, call)!.buttons[0]!.text.text).toBe("Set outcome: Appointment set");
    expect(threadTexts(rig, call)).not.toContain(unavailableLine);
  });
});

describe("a provider that is down, rate limited or slow", () => {
  it("down: the transcript is posted, the summary waits and the tick tries again after the backoff", async () => {
    rig.fake.always({ kind: "server-error", status: 503 });
    const call = await transcribedCall(rig, SCRIPT.buyer);
    expect(transcriptFile(rig, call)).toContain("Maple Grove");
    expect(summaryCard(rig, call)).toBeUndefined();
    const waiting = await db().callSummary.findUniqueOrThrow({ where: { callId: call.id } });
    expect(waiting).toMatchObject({ status: "pending", attempts: 1, lastError: "provider answered 503" });
    const posted = await db().callTranscript.findUniqueOrThrow({ where: { callId: call.id } });
    expect(waiting.nextTryAt.getTime() - posted.postedAt!.getTime()).toBeGreaterThanOrEqual(29_000);
    // Before the backoff ends the tick leaves it alone.
    await tickAfter(rig, 1_000);
    expect(rig.fake.requests).toHaveLength(1);
    // Unreachable is the same "try later".
    rig.fake.always(undefined);
    await rig.fake.unreachable();
    await tickAfter(rig, 31_000);
    expect(await db().callSummary.findUniqueOrThrow({ where: { callId: call.id } })).toMatchObject({
      status: "pending",
      attempts: 2,
      lastError: "provider unreachable",
    });
    await rig.fake.reachable();
    await tickAfter(rig, 61_000);
    expect(summaryCard(rig, call)!.buttons.map((b) => b.text.text)).toContain("Set outcome: Call back");
    expect(threadTexts(rig, call)).not.toContain(unavailableLine);
    expect(rig.t.logs.join("")).not.toMatch(/Maple Grove|Tuesday at 5/);
  });

  it("rate limited: waits as long as the provider's Retry-After says", async () => {
    rig.fake.script({ kind: "rate-limit", retryAfter: 120 });
    const call = await transcribedCall(rig, SCRIPT.buyer);
    const waiting = await db().callSummary.findUniqueOrThrow({ where: { callId: call.id } });
    expect(waiting).toMatchObject({
      status: "pending",
      attempts: 1,
      lastError: "provider answered 429 rate_limit_exceeded",
    });
    await tickAfter(rig, 60_000);
    expect(rig.fake.requests).toHaveLength(1);
    await tickAfter(rig, 61_000);
    expect(rig.fake.requests).toHaveLength(2);
    expect(summaryCard(rig, call)).toBeDefined();
  });

  it("slow: the tick returns without waiting, the summary times out and is tried again later", async () => {
    rig.fake.script({ kind: "slow", ms: 3_000 });
    const call = await finishedCall(rig, SCRIPT.buyer);
    await recordingArrives(rig, call);
    rig.advance(16_000);
    await rig.t.app.deps.transcripts.tick();
    // The tick is done: the transcript is posted while the summary is still being asked for.
    expect((await db().callTranscript.findUniqueOrThrow({ where: { callId: call.id } })).status).toBe("posted");
    expect((await db().callSummary.findUniqueOrThrow({ where: { callId: call.id } })).attempts).toBe(0);
    await settled(rig.t);
    expect(await db().callSummary.findUniqueOrThrow({ where: { callId: call.id } })).toMatchObject({
      status: "pending",
      attempts: 1,
      lastError: "provider timed out",
    });
    await tickAfter(rig, 31_000);
    expect(summaryCard(rig, call)).toBeDefined();
  });
});

describe("Slack failing the card", () => {
  it("keeps the summary and posts the card at a later tick, without asking the provider again", async () => {
    const call = await finishedCall(rig, SCRIPT.seller);
    await recordingArrives(rig, call);
    rig.t.slack.failNext.set("chat.postMessage", "internal_error");
    await tickAfter(rig);
    expect(transcriptFile(rig, call)).toContain("Thursday at 4");
    // What the channel holds (the fake also lists the refused call).
    const cards = () =>
      rig.t.slack.sim.workspace.messages.filter(
        (m) => m.threadTs === call.slackTs && m.text.startsWith("Call summary"),
      );
    expect(cards()).toHaveLength(0);
    const waiting = await db().callSummary.findUniqueOrThrow({ where: { callId: call.id } });
    expect(waiting).toMatchObject({ status: "pending", attempts: 2, lastError: "the card could not be posted" });
    expect(waiting.json).toContain("selling");
    await tickAfter(rig, 61_000);
    expect(cards()).toHaveLength(1);
    expect(summaryCard(rig, call)!.buttons[0]!.text.text).toBe("Set outcome: Appointment set");
    expect(rig.fake.requests).toHaveLength(1);
    expect(await db().callSummary.findUniqueOrThrow({ where: { callId: call.id } })).toMatchObject({
      status: "done",
      suggestedOutcome: "appointment",
    });
  });
});

describe("summaries off", () => {
  it("transcripts only: the transcript is posted and the provider is never called", async () => {
    expect(await summaries(rig, "transcripts-only")).toContain("Transcripts are *on*, summaries are *off*");
    const call = await transcribedCall(rig, SCRIPT.buyer);
    expect(transcriptFile(rig, call)).toContain("Maple Grove");
    await tickAfter(rig, DAY);
    expect(rig.fake.requests).toHaveLength(0);
    expect(await db().callSummary.count()).toBe(0);
    expect(threadTexts(rig, call)).not.toContain(unavailableLine);
  });

  it("turned off while a summary waits: it is dropped without asking the provider", async () => {
    rig.fake.always({ kind: "server-error", status: 500 });
    const call = await transcribedCall(rig, SCRIPT.buyer);
    expect(rig.fake.requests).toHaveLength(1);
    rig.fake.always(undefined);
    rig.resetClock();
    await summaries(rig, "transcripts-only");
    await tickAfter(rig, 3_600_000);
    expect(rig.fake.requests).toHaveLength(1);
    expect((await db().callSummary.findUniqueOrThrow({ where: { callId: call.id } })).status).toBe("off");
  });

  it("summaries cannot be turned on where no summary model is configured", async () => {
    const { startTestApp } = await import("../helpers/app.js");
    const bare = await startTestApp();
    try {
      bare.slack.users.set("U0ADMIN01", { id: "U0ADMIN01", name: "ada", is_admin: true });
      await bare.command("/twilio-setup", "summaries on", "U0ADMIN01");
      const answer = await bare.slack.waitFor(() => bare.slack.responses.at(-1));
      expect(String(answer.body.text)).toContain("Summaries need a summary model");
    } finally {
      await bare.stop();
    }
  });
});

describe("retention", () => {
  it("deletes a transcript's words on the workspace's schedule (Twilio's copy too) and keeps the summary", async () => {
    expect(await summaries(rig, "retention 30")).toContain("deleted 30 days after they are posted");
    const call = await transcribedCall(rig, SCRIPT.buyer);
    const posted = await db().callTranscript.findUniqueOrThrow({ where: { callId: call.id } });
    expect(posted.purgeAt!.getTime() - posted.postedAt!.getTime()).toBe(30 * DAY);
    expect(posted.sentences).toContain("Maple Grove");
    await tickAfter(rig, 29 * DAY);
    expect((await db().callTranscript.findUniqueOrThrow({ where: { callId: call.id } })).sentences).not.toBeNull();
    await tickAfter(rig, 2 * DAY);
    const purged = await db().callTranscript.findUniqueOrThrow({ where: { callId: call.id } });
    expect(purged.sentences).toBeNull();
    expect(purged.purgedAt).not.toBeNull();
    const deleted = rig.t.twilio.requests.filter(
      (r) => r.method === "DELETE" && r.path === `/v2/Transcripts/${posted.transcriptSid}`,
    );
    expect(deleted).toHaveLength(1);
    expect(rig.t.twilio.sim.intelligence.transcripts.has(posted.transcriptSid!)).toBe(false);
    // The file in the thread is deleted from Slack too.
    expect(posted.slackFileId).toMatch(/^F/);
    expect(rig.t.slack.callsTo("files.delete").map((c) => c.args.file)).toEqual([posted.slackFileId]);
    expect(rig.t.slack.sim.workspace.files.has(posted.slackFileId!)).toBe(false);
    expect(purged.slackFileId).toBeNull();
    const summary = await db().callSummary.findUniqueOrThrow({ where: { callId: call.id } });
    expect(summary.status).toBe("done");
    expect(summary.json).toContain("Maple Grove");
    // Once only.
    await tickAfter(rig, DAY);
    expect(rig.t.twilio.requests.filter((r) => r.method === "DELETE")).toHaveLength(1);
    expect(rig.t.slack.callsTo("files.delete")).toHaveLength(1);
  });

  it("when Slack will not delete the file, the words still go on time and the file is tried again", async () => {
    const call = await transcribedCall(rig, SCRIPT.buyer);
    const posted = await db().callTranscript.findUniqueOrThrow({ where: { callId: call.id } });
    rig.t.slack.failNext.set("files.delete", "internal_error");
    await tickAfter(rig, 91 * DAY);
    const first = await db().callTranscript.findUniqueOrThrow({ where: { callId: call.id } });
    expect(first.sentences).toBeNull();
    expect(first.slackFileId).toBe(posted.slackFileId);
    expect(rig.t.slack.sim.workspace.files.has(posted.slackFileId!)).toBe(true);
    await tickAfter(rig, 20_000);
    expect((await db().callTranscript.findUniqueOrThrow({ where: { callId: call.id } })).slackFileId).toBeNull();
    expect(rig.t.slack.sim.workspace.files.has(posted.slackFileId!)).toBe(false);
    expect(rig.t.slack.callsTo("files.delete")).toHaveLength(2);
    // Twilio's copy was deleted once, with the words.
    expect(rig.t.twilio.requests.filter((r) => r.method === "DELETE")).toHaveLength(1);
  });
});
