import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../../src/lib/log.js";
import type { Db } from "../../../src/services/store/db.js";
import { loadKeyring } from "../../../src/services/store/keyring.js";
import { createSecretStore } from "../../../src/services/store/secrets.js";
import { openTestDatabase, testEngine } from "../../helpers/app.js";

const log = createLogger("silent");
const dirs: string[] = [];
const closers: (() => Promise<void>)[] = [];
const opened = new Map<string, Awaited<ReturnType<typeof openTestDatabase>>>();

async function setup(
  keys: { current?: string; previous?: string },
  dir = mkdtempSync(join(tmpdir(), "leadline-secrets-")),
) {
  if (!dirs.includes(dir)) dirs.push(dir);
  const file = join(dir, "leadline.db");
  // Reopening the same dir reopens the same database (SQLite file, or the same PostgreSQL schema).
  const previous = opened.get(dir);
  const handle = previous ? await reopen(previous) : await openTestDatabase(dir);
  opened.set(dir, handle);
  const db: Db = handle.database.prisma;
  const ws = handle.ws;
  const keyring = loadKeyring({
    currentKey: keys.current,
    previousKey: keys.previous,
    production: false,
    dataDir: dir,
    log,
  });
  return { db, ws, dir, file, keyring, store: createSecretStore({ db, keyring }), close: handle.close };
}

async function reopen(previous: Awaited<ReturnType<typeof openTestDatabase>>) {
  const { openDatabase } = await import("../../../src/services/store/db.js");
  await previous.database.close().catch(() => {});
  const { database } = await openDatabase(previous.url);
  return { ...previous, database };
}

afterEach(async () => {
  for (const handle of opened.values()) closers.push(handle.close);
  opened.clear();
  for (const close of closers.splice(0)) await close().catch(() => {});
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const keyA = randomBytes(32).toString("base64");
const keyB = randomBytes(32).toString("base64");

describe("secret store", () => {
  it("stores values encrypted: the plaintext is in none of the SQLite files", async () => {
    const { store, db, dir, ws } = await setup({ current: keyA });
    const plaintext = "AUTHTOKEN-plaintext-4f1c9e2b7a";
    await store.setMany(ws, { "twilio.authToken": plaintext, "twilio.accountSid": "AC-visible-check" }, "U1");
    expect(await store.get(ws, "twilio.authToken")).toBe(plaintext);
    if (testEngine() === "sqlite") {
      for (const suffix of ["", "-wal", "-journal", "-shm"]) {
        const path = join(dir, `leadline.db${suffix}`);
        if (existsSync(path)) expect(readFileSync(path).includes(Buffer.from(plaintext))).toBe(false);
      }
    }
    const row = await db.secret.findFirstOrThrow({ where: { name: "twilio.authToken" } });
    expect(Buffer.from(row.ciphertext).toString("utf8")).not.toContain(plaintext);
    expect(row.iv.length).toBe(12);
    expect(row.authTag.length).toBe(16);
  });

  it("rejects a row whose stored bytes were altered", async () => {
    const { store, db, ws } = await setup({ current: keyA });
    await store.setMany(ws, { "twilio.authToken": "value" }, "U1");
    const row = await db.secret.findFirstOrThrow({ where: { name: "twilio.authToken" } });
    const tampered = Buffer.from(row.ciphertext);
    tampered[0] = (tampered[0] ?? 0) ^ 0xff;
    await db.secret.update({ where: { id: row.id }, data: { ciphertext: new Uint8Array(tampered) } });
    await expect(store.get(ws, "twilio.authToken")).rejects.toThrow(/failed authentication/);
    expect(await store.getMany(ws, ["twilio.authToken"])).toEqual({ values: {}, unreadable: ["twilio.authToken"] });
  });

  it("a secret moved to another workspace does not open there (its workspace is authenticated)", async () => {
    const { store, db, ws } = await setup({ current: keyA });
    const other = await db.workspace.create({ data: { teamId: "T0OTHER", enterpriseId: "" } });
    await store.setMany(ws, { "twilio.authToken": "first workspace's token" }, "U1");
    const row = await db.secret.findFirstOrThrow({ where: { workspaceId: ws, name: "twilio.authToken" } });
    await db.secret.update({ where: { id: row.id }, data: { workspaceId: other.id } });
    expect(await store.getMany(other.id, ["twilio.authToken"])).toEqual({
      values: {},
      unreadable: ["twilio.authToken"],
    });
    expect(await store.get(ws, "twilio.authToken")).toBeUndefined();
  });

  it("a held value expires", async () => {
    const { store, ws } = await setup({ current: keyA });
    await store.setMany(ws, { "held:x": "soon gone" }, "U1", { expiresAt: new Date(Date.now() - 1) });
    await store.setMany(ws, { "held:y": "still here" }, "U1", { expiresAt: new Date(Date.now() + 60_000) });
    expect(await store.getMany(ws, ["held:x", "held:y"])).toEqual({
      values: { "held:y": "still here" },
      unreadable: [],
    });
  });

  it("rotation keeps old rows readable, then re-encrypts them under the new key", async () => {
    const first = await setup({ current: keyA });
    await first.store.setMany(first.ws, { a: "alpha", b: "beta" }, "U1");
    const oldKeyId = first.keyring.current.id;

    const rotated = await setup({ current: keyB, previous: keyA }, first.dir);
    expect(await rotated.store.get(rotated.ws, "a")).toBe("alpha");
    expect(await rotated.store.rotate()).toEqual({ reencrypted: 2, total: 2 });
    const rows = await rotated.db.secret.findMany();
    expect(rows.every((row) => row.keyId === rotated.keyring.current.id && row.keyId !== oldKeyId)).toBe(true);

    const newOnly = await setup({ current: keyB }, first.dir);
    expect(await newOnly.store.getMany(newOnly.ws, ["a", "b"])).toEqual({
      values: { a: "alpha", b: "beta" },
      unreadable: [],
    });
  });

  it("without the previous key, rows under the old key fail loudly", async () => {
    const first = await setup({ current: keyA });
    await first.store.setMany(first.ws, { a: "alpha" }, "U1");
    const second = await setup({ current: keyB }, first.dir);
    await expect(second.store.get(second.ws, "a")).rejects.toThrow(/no encryption key/);
    expect((await second.store.check()).missingKeyIds).toEqual([first.keyring.current.id]);
  });

  it("generates a local key file (mode 0600) once when no key is set outside production", async () => {
    const { keyring, dir } = await setup({});
    expect(keyring.generatedFile).toBe(join(dir, "encryption.key"));
    expect(statSync(keyring.generatedFile!).mode & 0o777).toBe(0o600);
    const again = loadKeyring({ production: false, dataDir: dir, log });
    expect(again.generatedFile).toBeUndefined();
    expect(again.current.id).toBe(keyring.current.id);
  });

  it("refuses to run without a key in production", () => {
    expect(() => loadKeyring({ production: true, dataDir: tmpdir(), log })).toThrow(/APP_ENCRYPTION_KEY is required/);
  });
});
