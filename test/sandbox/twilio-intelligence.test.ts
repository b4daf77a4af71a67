import twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTwilioSimulator, type TwilioSimulator } from "../../sandbox/twilio/simulator.js";
import { createTwilioClientFactory } from "../../src/services/twilio/client.js";

// Voice Intelligence v2 as the simulated Twilio plays it, through the official SDK (as Leadline calls it).

const SID = "AC00000000000000000000000000000a11";
const TOKEN = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";
const RECORDING = `RE${"1".repeat(32)}`;

describe("the simulated Twilio's Voice Intelligence", () => {
  let sim: TwilioSimulator;
  let client: ReturnType<ReturnType<typeof createTwilioClientFactory>>;

  beforeAll(async () => {
    sim = await startTwilioSimulator({ callFlow: "hold", recordRequests: true });
    sim.addAccount({ sid: SID, authToken: TOKEN });
    client = createTwilioClientFactory({ apiUrl: sim.url })({ accountSid: SID, authToken: TOKEN });
    sim.addRecording({
      sid: RECORDING,
      accountSid: SID,
      callSid: `CA${"2".repeat(32)}`,
      leadNumber: "+12125550113",
      channels: 2,
      leadChannel: 2,
      durationSec: 30,
    });
  });
  afterAll(async () => {
    await sim.close();
  });

  it("creates a service with redaction on and data logging off, and refuses what Twilio refuses", async () => {
    const service = await client.intelligence.v2.services.create({
      uniqueName: "leadline-test",
      autoRedaction: true,
      dataLogging: false,
    });
    expect(service.sid).toMatch(/^GA[0-9a-f]{32}$/);
    expect(service.autoRedaction).toBe(true);
    expect(service.dataLogging).toBe(false);
    const listed = await client.intelligence.v2.services.list();
    expect(listed.map((s) => s.uniqueName)).toEqual(["leadline-test"]);
    await expect(client.intelligence.v2.services.create({ uniqueName: "leadline-test" })).rejects.toMatchObject({
      status: 409,
    });
    await expect(
      client.intelligence.v2.services.create({ uniqueName: "logging", dataLogging: true }),
    ).rejects.toMatchObject({ status: 400, code: 20001 });
    await expect(
      client.intelligence.v2.services.create({ uniqueName: "media", mediaRedaction: true }),
    ).rejects.toMatchObject({ status: 400 });
  });

  it("transcribes a recording: queued → in-progress → completed, then its sentences by channel", async () => {
    const service = await client.intelligence.v2.services.create({ uniqueName: "flow", autoRedaction: true });
    sim.intelligence.readyAfterMs = 200;
    const created = await client.intelligence.v2.transcripts.create({
      serviceSid: service.sid,
      channel: { media_properties: { source_sid: RECORDING } },
      customerKey: "call-7",
    });
    expect(created.status).toBe("queued");
    expect(created.customerKey).toBe("call-7");
    expect(await client.intelligence.v2.transcripts(created.sid).sentences.list()).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect((await client.intelligence.v2.transcripts(created.sid).fetch()).status).toBe("in-progress");
    await new Promise((resolve) => setTimeout(resolve, 200));
    const done = await client.intelligence.v2.transcripts(created.sid).fetch();
    expect(done.status).toBe("completed");
    const sentences = await client.intelligence.v2.transcripts(created.sid).sentences.list();
    expect(sentences.map((s) => s.mediaChannel)).toEqual([1, 2, 1]);
    expect(sentences[1]!.transcript).toContain("stop calling me");
    expect(Number(sentences[1]!.startTime)).toBeGreaterThan(Number(sentences[0]!.startTime));
    expect(sentences.map((s) => s.sentenceIndex)).toEqual([0, 1, 2]);
    await client.intelligence.v2.transcripts(created.sid).remove();
    await expect(client.intelligence.v2.transcripts(created.sid).fetch()).rejects.toMatchObject({ status: 404 });
  });

  it("refuses an unknown recording, a missing service and another account's transcripts", async () => {
    const service = await client.intelligence.v2.services.create({ uniqueName: "refusals" });
    await expect(
      client.intelligence.v2.transcripts.create({
        serviceSid: service.sid,
        channel: { media_properties: { source_sid: `RE${"9".repeat(32)}` } },
      }),
    ).rejects.toMatchObject({ status: 400, code: 20001 });
    await expect(
      client.intelligence.v2.transcripts.create({
        serviceSid: `GA${"0".repeat(32)}`,
        channel: { media_properties: { source_sid: RECORDING } },
      }),
    ).rejects.toMatchObject({ status: 404 });
    const other = "AC00000000000000000000000000000b22";
    sim.addAccount({ sid: other, authToken: TOKEN });
    const otherClient = createTwilioClientFactory({ apiUrl: sim.url })({ accountSid: other, authToken: TOKEN });
    const mine = await client.intelligence.v2.transcripts.create({
      serviceSid: service.sid,
      channel: { media_properties: { source_sid: RECORDING } },
    });
    await expect(otherClient.intelligence.v2.transcripts(mine.sid).fetch()).rejects.toBeInstanceOf(
      twilio.RestException,
    );
  });

  it("scripts a failed transcript for the 0116 scenario", async () => {
    const service = await client.intelligence.v2.services.create({ uniqueName: "fails" });
    sim.addRecording({
      sid: `RE${"3".repeat(32)}`,
      accountSid: SID,
      callSid: `CA${"3".repeat(32)}`,
      leadNumber: "+12125550116",
      channels: 2,
      leadChannel: 2,
      durationSec: 10,
    });
    sim.intelligence.readyAfterMs = 0;
    const created = await client.intelligence.v2.transcripts.create({
      serviceSid: service.sid,
      channel: { media_properties: { source_sid: `RE${"3".repeat(32)}` } },
    });
    expect((await client.intelligence.v2.transcripts(created.sid).fetch()).status).toBe("failed");
  });
});
