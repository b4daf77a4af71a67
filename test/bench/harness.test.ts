import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Fakes, type Instance, SECRET, spawnInstance, startFakes, startLeadline } from "../../bench/harness.js";
import { dropSchema, testEngine, withSchema } from "../helpers/app.js";

// Issue 22, item 3: the benchmark died with EADDRINUSE 127.0.0.1:4222 (a NATS server) because it
// guessed a port in 4100–4900. Every port of that range that can be held is held here while the
// harness starts its instances: they must come up anyway, on the port the system gave them.

const held: Server[] = [];
let fakes: Fakes;
const dir = mkdtempSync(join(tmpdir(), "leadline-bench-ports-"));

beforeAll(async () => {
  for (let port = 4100; port < 4900; port += 1) {
    const server = createServer();
    const bound = await new Promise<boolean>((resolve) => {
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => resolve(true));
    });
    if (bound) held.push(server);
  }
  fakes = await startFakes();
});
afterAll(async () => {
  await Promise.all(held.map((server) => new Promise((resolve) => server.close(resolve))));
  await fakes?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function answers(instance: Instance): Promise<number> {
  const res = await fetch(`${instance.url}/slack/events`, { method: "POST", body: "" });
  await res.arrayBuffer();
  return res.status;
}

describe("the bench harness's instances", () => {
  it("holds the old guessing range (so the test can fail)", () => {
    // 4222 may be someone else's; nearly all of the other 799 are free on any machine.
    expect(held.length).toBeGreaterThan(700);
  });

  it("the bare Bolt baseline listens on a port the system gave it and reports it", async () => {
    const instance = await spawnInstance("bench/bare-bolt.ts", {
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_BOT_TOKEN: "xoxb-bench",
      SLACK_API_URL: fakes.slack.apiUrl,
    });
    try {
      expect(instance.port < 4100 || instance.port >= 4900).toBe(true);
      // Unsigned: Bolt refuses it, which proves the reported port is the instance's.
      expect(await answers(instance)).toBe(401);
    } finally {
      await instance.stop();
    }
  });

  it("Leadline does too", async () => {
    const databaseUrl =
      testEngine() === "postgresql"
        ? withSchema(process.env.TEST_DATABASE_URL!, `b_${randomBytes(6).toString("hex")}`)
        : `file:${join(dir, "bench.db")}`;
    const instance = await startLeadline(fakes, databaseUrl, randomBytes(32).toString("base64"));
    try {
      const health = await fetch(`${instance.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ ok: true });
      expect(await answers(instance)).toBe(401);
    } finally {
      await instance.stop();
      if (testEngine() === "postgresql") await dropSchema(databaseUrl);
    }
  }, 60_000);
});
