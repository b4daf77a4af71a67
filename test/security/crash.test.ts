import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ids } from "../../src/lib/ids.js";
import { CALLING_TIME, CHANNEL, dropSharedDatabase, eventually } from "../helpers/app.js";
import { type FakeSlack, startFakeSlack } from "../helpers/fake-slack.js";
import { type FakeAccount, type FakeTwilio, startFakeTwilio } from "../helpers/fake-twilio.js";
import { buttonClick } from "../helpers/payloads.js";
import {
  CHILD_SIGNING_SECRET,
  type ChildApp,
  childDate,
  childSql,
  seedDatabase,
  signSlack,
  startChildApp,
} from "./child-app.js";
import { addLead, saveTwilioSettings } from "./seams.js";

// Issue item 6c with a real kill -9: Leadline (its own process) is killed while Twilio has the
// Calls create in hand, then started again on the same database. Twilio must see one create, ever.

const AGENT = "U0MARIA01";
const OTHER = "U0SAM0001";
const FROM = "+15005550006";
const JANE = "+12125550182";

let slack: FakeSlack;
let twilio: FakeTwilio;
let account: FakeAccount;
let dir: string;
let key: string;
let leadId: number;
const children: ChildApp[] = [];

beforeAll(async () => {
  slack = await startFakeSlack();
  twilio = await startFakeTwilio();
  account = twilio.addAccount({ numbers: [FROM] });
  dir = mkdtempSync(join(tmpdir(), "leadline-crash-"));
  key = randomBytes(32).toString("base64");
  await seedDatabase({ dir, key, slack, twilio }, async (t) => {
    await saveTwilioSettings(t, { accountSid: account.sid, authToken: account.token, phoneNumber: FROM });
    leadId = (await addLead(t, "Jane Doe", JANE)).id;
  });
}, 30_000);

afterAll(async () => {
  for (const child of children) await child.stop();
  await slack?.close();
  await twilio?.close();
  if (dir) {
    rmSync(dir, { recursive: true, force: true });
    await dropSharedDatabase(dir);
  }
});

/** The call rows in the child's database, read over a connection of our own. */
function calls(app: ChildApp) {
  return childSql<{
    id: number;
    leadId: number;
    status: string;
    twilioSid: string | null;
    activeLeadId: number | null;
  }>(app, `SELECT * FROM "Call" ORDER BY "id"`);
}

async function click(app: ChildApp, user: string) {
  const payload = buttonClick({
    userId: user,
    actionId: ids.call.messageAction,
    value: String(leadId),
    channel: CHANNEL,
    messageTs: "1760000000.000100",
    responseUrl: slack.responseUrl(),
  });
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const timestamp = String(Math.floor(Date.now() / 1000));
  const res = await fetch(`${app.url}/slack/events`, {
    method: "POST",
    body,
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": timestamp,
      "x-slack-signature": signSlack(CHILD_SIGNING_SECRET, timestamp, body),
    },
  });
  expect(res.status).toBe(200);
}

describe("kill -9 while Twilio holds the Calls create", () => {
  it("the restarted process adopts the call Twilio placed: one create in all, the row settled", async () => {
    // Twilio places the call at once but answers only after a minute: the process dies before.
    twilio.delays.set("createCall", 60_000);
    const first = await startChildApp({ slack, twilioUrl: twilio.url, dir, key, callingTime: CALLING_TIME });
    children.push(first);
    await click(first, AGENT);
    await eventually(() => twilio.creates().length === 1, "the create to reach Twilio", 10_000);
    expect(await calls(first)).toMatchObject([{ status: "dialing", twilioSid: null, activeLeadId: leadId }]);

    first.child.kill("SIGKILL");
    const { signal } = await first.exited;
    expect(signal).toBe("SIGKILL");
    twilio.delays.clear();
    const placed = [...twilio.sim.calls.values()].filter((c) => c.to === JANE);
    expect(placed).toHaveLength(1);

    // A process manager brings Leadline back a minute later: by then the row is a minute old.
    await childSql(first, `UPDATE "Call" SET "createdAt" = ?`, [childDate(first, new Date(Date.now() - 60_000))]);
    const second = await startChildApp({ slack, twilioUrl: twilio.url, dir, key, callingTime: CALLING_TIME });
    children.push(second);

    const settled = await eventually(
      async () => (await calls(second)).find((c) => c.twilioSid !== null),
      "the row adopted after the restart",
      10_000,
    );
    expect(settled).toMatchObject({ twilioSid: placed[0]!.sid, status: "queued", activeLeadId: leadId });
    expect(await calls(second)).toHaveLength(1);
    await eventually(
      () => slack.callsTo("chat.postMessage").find((c) => JSON.stringify(c.args.blocks).includes(placed[0]!.sid)),
      "the line in the channel",
    );

    // Clicked again, nothing is dialled: the call is still live and the lead guarded.
    await click(second, OTHER);
    await eventually(
      () => slack.responses.some((r) => String(r.body.text ?? "").includes("Already calling *Jane Doe*")),
      "Already calling",
    );
    expect(twilio.creates()).toHaveLength(1);
    second.assertAlive("the restart");
  }, 40_000);
});
