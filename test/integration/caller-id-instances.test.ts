import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ids } from "../../src/lib/ids.js";
import { CHANNEL, dropSharedDatabase, eventually, startTestApp, type TestApp, withConsent } from "../helpers/app.js";
import { startFakeSlack } from "../helpers/fake-slack.js";
import { type FakeAccount, startFakeTwilio } from "../helpers/fake-twilio.js";
import { buttonClick } from "../helpers/payloads.js";

// Two instances on one database place calls at once: a pool number's daily cap holds across them.

const PUBLIC = "https://leadline.example.com";
const ADMIN = "U0ADMIN01";
const AGENT = "U0MARIA01";
const TEAM = "+15005550006";
const MIAMI_305 = "+13055550100";
const CAP = 5;
const LEADS = 16;

describe("two instances and one number's daily cap", () => {
  let dir: string;
  let fakes: { slack: Awaited<ReturnType<typeof startFakeSlack>>; twilio: Awaited<ReturnType<typeof startFakeTwilio>> };
  let account: FakeAccount;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "leadline-callerid-"));
    fakes = { slack: await startFakeSlack(), twilio: await startFakeTwilio() };
    const env = {
      APP_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      PUBLIC_BASE_URL: PUBLIC,
      ADMIN_SLACK_USER_IDS: ADMIN,
    };
    account = fakes.twilio.addAccount({ numbers: [TEAM, MIAMI_305] });
    a = await startTestApp({ ...fakes, dir, env });
    b = await startTestApp({ ...fakes, dir, env });
    await a.app.deps.settings.save(
      a.ws,
      { accountSid: account.sid, authToken: account.token, phoneNumber: TEAM, agentPhone: "+12125550199" },
      ADMIN,
    );
  });
  afterAll(async () => {
    await a.stop();
    await b.stop();
    await fakes.slack.close();
    await fakes.twilio.close();
    rmSync(dir, { recursive: true, force: true });
    await dropSharedDatabase(dir);
  });

  it(`${LEADS} calls at once through both instances: exactly ${CAP} from the capped number, none beyond`, async () => {
    await a.command("/twilio-setup", `numbers add ${MIAMI_305}`, ADMIN);
    await b.command("/twilio-setup", `numbers cap ${CAP}`, ADMIN);
    await eventually(async () => (await a.app.deps.db.callerIdSetting.findFirst())?.dailyCap === CAP, "cap saved");
    await eventually(
      async () => (await a.app.deps.db.poolNumber.findFirst({ where: { number: MIAMI_305 } }))?.inPool,
      "number in the pool",
    );
    const leads = [];
    for (let i = 0; i < LEADS; i += 1) {
      const lead = await a.app.deps.leads.create(a.ws, {
        name: `Miami ${i}`,
        phone: `+1305555${String(2000 + i)}`,
        author: "seed",
      });
      leads.push(await withConsent(a.app, a.ws, lead));
    }
    // Every click at once, alternating between the instances.
    await Promise.all(
      leads.map((lead, i) =>
        (i % 2 === 0 ? a : b).interact(
          buttonClick({
            userId: AGENT,
            actionId: ids.call.messageAction,
            value: String(lead.id),
            channel: CHANNEL,
            messageTs: `1760000000.${String(i).padStart(6, "0")}`,
            responseUrl: fakes.slack.responseUrl(),
          }),
        ),
      ),
    );
    const calls = await eventually(async () => {
      const placed = await a.app.deps.db.call.findMany({ where: { twilioSid: { not: null } } });
      return placed.length === LEADS ? placed : undefined;
    }, "every call placed");
    const from305 = calls.filter((call) => call.fromNumber === MIAMI_305);
    // The cap is counted in one conditional statement before Twilio is asked: 0 calls beyond it.
    expect(from305).toHaveLength(CAP);
    expect(calls.filter((call) => call.fromNumber === TEAM)).toHaveLength(LEADS - CAP);
    const creates = fakes.twilio.creates().filter((c) => c.path.includes(account.sid));
    expect(creates.filter((c) => c.params.get("From") === MIAMI_305)).toHaveLength(CAP);
    const counted = await a.app.deps.db.numberDayCount.findMany({ where: { number: MIAMI_305 } });
    expect(counted.map((c) => c.count)).toEqual([CAP]);
  });
});
