import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ids } from "../../src/lib/ids.js";
import {
  CHANNEL,
  dropSharedDatabase,
  eventually,
  settled,
  startTestApp,
  type TestApp,
  withConsent,
} from "../helpers/app.js";
import { startFakeSlack } from "../helpers/fake-slack.js";
import { type FakeAccount, startFakeTwilio } from "../helpers/fake-twilio.js";
import { buttonClick } from "../helpers/payloads.js";

const AGENT = "U0MARIA01";
const FROM = "+15005550006";
const POLL = { pollDelaysMs: [40], priceDelaysMs: [40, 80] };

describe("status polling without a public URL", () => {
  let dir: string;
  let shared: Record<string, string>;
  let fakes: { slack: Awaited<ReturnType<typeof startFakeSlack>>; twilio: Awaited<ReturnType<typeof startFakeTwilio>> };
  let account: FakeAccount;
  let a: TestApp;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "leadline-poll-"));
    fakes = { slack: await startFakeSlack(), twilio: await startFakeTwilio() };
    shared = { APP_ENCRYPTION_KEY: randomBytes(32).toString("base64") };
    account = fakes.twilio.addAccount({ numbers: [FROM] });
    a = await startTestApp({ ...fakes, dir, env: shared, ...POLL });
    await a.app.deps.settings.save(
      a.ws,
      { accountSid: account.sid, authToken: account.token, phoneNumber: FROM },
      "U0ADMIN01",
    );
  });
  afterAll(async () => {
    await a.stop();
    await fakes.slack.close();
    await fakes.twilio.close();
    rmSync(dir, { recursive: true, force: true });
    await dropSharedDatabase(dir);
  });

  const fetchesOf = (sid: string) =>
    fakes.twilio.requests.filter((r) => r.method === "GET" && r.path.endsWith(`/Calls/${sid}.json`)).length;

  it("reaches the same final state from polling, survives a restart with one poller, and never two at once", async () => {
    const lead = await withConsent(
      a.app,
      a.ws,
      await a.app.deps.leads.create(a.ws, { name: "Jane Doe", phone: "+12125550182", author: "seed" }),
    );
    await a.interact(
      buttonClick({
        userId: AGENT,
        actionId: ids.call.messageAction,
        value: String(lead.id),
        channel: CHANNEL,
        messageTs: "1.1",
        responseUrl: a.slack.responseUrl(),
      }),
    );
    const call = await eventually(async () => {
      const row = await a.app.deps.db.call.findFirst({ where: { leadId: lead.id } });
      return row?.twilioSid && row.slackTs ? row : undefined;
    }, "placed call");
    expect(fakes.twilio.creates().at(-1)!.params.get("StatusCallback")).toBeNull();
    expect(a.app.deps.poller.active()).toEqual([call.id]);
    const sid = call.twilioSid!;
    const remote = fakes.twilio.calls.get(sid)!;

    remote.status = "ringing";
    await eventually(
      async () => (await a.app.deps.db.call.findUniqueOrThrow({ where: { id: call.id } })).status === "ringing",
      "ringing from polling",
    );
    await eventually(
      () => String(fakes.slack.callsTo("chat.update").at(-1)?.args.text ?? "").endsWith("· ringing"),
      "ringing line",
    );

    // A second instance on the same database does not poll a call the first one holds.
    const b = await startTestApp({ ...fakes, dir, env: shared, ...POLL });
    try {
      expect(b.app.deps.poller.active()).toEqual([]);
      expect(await b.app.deps.poller.watch(call.id)).toBe(false);

      // The first stops (a restart); the second resumes the call, once.
      await a.stop();
      // Stopped, the first has no poll armed and nothing running; the second has not started one.
      expect(a.app.deps.poller.active()).toEqual([]);
      expect(a.app.deps.tasks.size).toBe(0);
      const before = fetchesOf(sid);
      await settled(b);
      expect(fetchesOf(sid)).toBe(before);
      expect(await b.app.deps.poller.resume()).toBe(1);
      expect(await b.app.deps.poller.resume()).toBe(0);
      expect(b.app.deps.poller.active()).toEqual([call.id]);

      remote.status = "in-progress";
      remote.answered_by = "human";
      await eventually(
        async () => (await b.app.deps.db.call.findUniqueOrThrow({ where: { id: call.id } })).status === "in-progress",
        "in progress",
      );
      remote.status = "completed";
      remote.duration = "133";
      remote.price = "-0.04200";
      await eventually(
        async () => {
          const row = await b.app.deps.db.call.findUniqueOrThrow({ where: { id: call.id } });
          // The poller lets go of the call right after it records the end.
          return row.status === "completed" && row.pollLeaseUntil === null;
        },
        "completed and let go",
        5_000,
      );
      const done = await b.app.deps.db.call.findUniqueOrThrow({ where: { id: call.id } });
      expect(done).toMatchObject({
        status: "completed",
        durationSec: 133,
        answeredBy: "human",
        activeLeadId: null,
        pollLeaseUntil: null,
      });
      const notes = (await b.app.deps.db.note.findMany({ where: { leadId: lead.id }, orderBy: { id: "asc" } })).map(
        (n) => n.body,
      );
      expect(notes.at(-1)).toBe(`[Call Completed] 2m 13s, answered by human - Call SID: ${sid}`);
      await eventually(
        () =>
          String(fakes.slack.callsTo("chat.update").at(-1)?.args.text ?? "").endsWith(
            "completed (2m 13s, answered by a person)",
          ),
        "final line",
      );
      expect(b.app.deps.poller.active()).toEqual([]);
      // Only the price lookup follows (Twilio prices an ended call): once the price is stored nothing is running and no poll is armed, so nothing more can ask Twilio.
      const priced = await eventually(
        async () => (await b.app.deps.db.call.findUniqueOrThrow({ where: { id: call.id } })).price,
        "the call's price",
      );
      expect(Number(priced)).toBe(-0.042);
      await settled(b);
      expect(b.app.deps.poller.active()).toEqual([]);
      expect(b.app.deps.tasks.size).toBe(0);
    } finally {
      // a is restarted so afterAll can stop it; b is done.
      await b.stop();
      a = await startTestApp({ ...fakes, dir, env: shared, ...POLL });
    }
  }, 30_000);
});
