// scratch: profile one load against one engine
import { randomBytes } from "node:crypto";
import { createBenchDb, createWorkspace, type Engine, saveTwilioSettings, seedLeads } from "../database.js";
import { AGENT_PHONE, costPerRequest, FROM, signedCommand, startFakes, startLeadline, TEAM_ID } from "../harness.js";

const engine = (process.env.BENCH_ENGINE ?? "postgresql") as Engine;
const fakes = await startFakes();
const key = randomBytes(32).toString("base64");
const bench = await createBenchDb(engine, "probe");
try {
  const setup = await bench.open();
  const ws = await createWorkspace(setup, TEAM_ID);
  await saveTwilioSettings(setup, ws, key, {
    "twilio.accountSid": fakes.account.sid,
    "twilio.authToken": fakes.account.token,
    "twilio.phoneNumber": FROM,
    "twilio.agentPhone": AGENT_PHONE,
  });
  await setup.close();
  await seedLeads(bench, ws, 10_000);
  const app = await startLeadline(fakes, bench.url, key);
  await new Promise((r) => setTimeout(r, 300));
  console.log("idle rss", app.rss().toFixed(0));
  const r = fakes.slack.responseUrl();
  const texts = (process.env.TEXTS ?? "jane|maria garcia|#4242").split("|");
  for (const text of texts) {
    await app.profile("start");
    const c = await costPerRequest(app, [signedCommand("/call-lead", text, r)], Number(process.env.N ?? 300));
    await app.profile(`/tmp/perf/${process.env.TAG ?? "x"}-${engine}-${text.replace(/\W/g, "_")}.cpuprofile`);
    console.log(engine, JSON.stringify(text), c);
  }
  await app.stop();
} finally {
  await bench.drop();
  await fakes.close();
}
process.exit(0);
