import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../sandbox/sandbox.js";
import { createLogger } from "../../src/lib/log.js";
import { eventually } from "../helpers/app.js";

// The sandbox's Follow Up Boss: the console connects it (as an admin's /crm-setup would) and shows
// what FUB received; a person added in FUB reaches the sandbox's channel as a lead card.

let sandbox: Sandbox;
let dir = "";

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "leadline-sandbox-fub-"));
  sandbox = await startSandbox({ log: createLogger("silent"), port: 0, dataDir: dir, pace: 0.05, env: {} });
}, 60_000);
afterAll(async () => {
  await sandbox?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const consoleCall = async (method: "GET" | "POST", body?: unknown) => {
  const res = await fetch(`${sandbox.consoleUrl}/sandbox/fub`, {
    method,
    headers: { "content-type": "application/json", "x-sandbox-token": sandbox.consoleToken },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await res.json()) as Record<string, unknown>;
};

describe("the sandbox's Follow Up Boss", () => {
  it("connects from the console, shows what FUB received, and posts FUB's new people as lead cards", async () => {
    const before = await consoleCall("GET");
    expect(before.apiKey).toEqual(expect.any(String));
    expect(await consoleCall("POST", { connect: true })).toMatchObject({ ok: true, account: "Sandbox Realty" });
    expect(await sandbox.leadline.deps.crmSetup.status(sandbox.ws, "U0MARIA001")).toMatchObject({ connected: true });
    const url = new URL(String(before.url));
    const res = await fetch(`${url.origin}/v1/people`, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${String(before.apiKey)}:`).toString("base64")}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ firstName: "Sandy", lastName: "Fromfub", phones: [{ value: "+13125558801" }] }),
    });
    expect(res.status).toBe(201);
    await eventually(
      () => sandbox.workspace.messages.some((m) => JSON.stringify(m).includes("Sandy Fromfub")),
      "the lead card in the sandbox channel",
    );
    const after = await consoleCall("GET");
    expect(JSON.stringify(after.deliveries)).toContain("peopleCreated");
    expect((after.people as unknown[]).length).toBeGreaterThan(0);
  });
});
