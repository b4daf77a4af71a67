import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/lib/log.js";
import { createSettingsService } from "../../src/services/setup/settings.js";
import { createSettingsStore, writeMaskNumbers } from "../../src/services/setup/settings-store.js";
import { loadKeyring } from "../../src/services/store/keyring.js";
import { createSecretStore } from "../../src/services/store/secrets.js";
import { useStoreDb } from "./store-db.js";

// The settings store's promises (src/services/setup/settings-store.ts): a change, the workspace's
// settings version and its audit row are written together or not at all; every change bumps the version
// once (what other instances watch to drop their cached settings); numbers are masked unless turned off.

const db = useStoreDb();

describe("the settings store", () => {
  it("a change, the version and the audit row together: each change bumps the version once", async () => {
    const { database, ws } = db();
    const settings = createSettingsStore(database.prisma);
    const before = await settings.version(ws);
    expect(await settings.masksNumbers(ws)).toBe(true);
    await settings.changeTogether(ws, "U0ADMIN01", { action: "privacy", detail: { maskNumbers: false } }, (tx) =>
      writeMaskNumbers(tx, ws, false),
    );
    expect(await settings.masksNumbers(ws)).toBe(false);
    expect(await settings.version(ws)).toBe(before! + 1);
    await Promise.all(
      Array.from({ length: 5 }, () =>
        settings.changeTogether(ws, "U0ADMIN01", { action: "privacy", detail: { maskNumbers: true } }, (tx) =>
          writeMaskNumbers(tx, ws, true),
        ),
      ),
    );
    expect(await settings.version(ws)).toBe(before! + 6);
    const audit = await database.prisma.auditLog.findMany({ where: { workspaceId: ws }, orderBy: { id: "asc" } });
    expect(audit).toHaveLength(6);
    expect(audit[0]).toMatchObject({ actor: "U0ADMIN01", action: "privacy", detail: '{"maskNumbers":false}' });
  });

  it("a change that fails leaves nothing: not the change, not the version, not the audit row", async () => {
    const { database, ws } = db();
    const settings = createSettingsStore(database.prisma);
    const before = await settings.version(ws);
    await expect(
      settings.changeTogether(ws, "U0ADMIN01", { action: "privacy", detail: {} }, async (tx) => {
        await writeMaskNumbers(tx, ws, false);
        throw new Error("the secret write failed");
      }),
    ).rejects.toThrow("the secret write failed");
    expect(await settings.masksNumbers(ws)).toBe(true);
    expect(await settings.version(ws)).toBe(before);
    expect(await database.prisma.auditLog.count({ where: { workspaceId: ws } })).toBe(0);
  });

  it("no workspace: no version, and numbers masked", async () => {
    const { database } = db();
    const settings = createSettingsStore(database.prisma);
    expect(await settings.version(987_654)).toBeUndefined();
    expect(await settings.masksNumbers(987_654)).toBe(true);
  });
});

describe("the settings service's version reads", () => {
  it("reads that start together share one version read; a read after it asks again and sees a change", async () => {
    const { database, ws } = db();
    const store = createSettingsStore(database.prisma);
    const keyring = loadKeyring({
      currentKey: randomBytes(32).toString("base64"),
      production: false,
      dataDir: "/nonexistent",
      log: createLogger("silent"),
    });
    let reads = 0;
    const settings = createSettingsService({
      store,
      secrets: createSecretStore({ db: database.prisma, keyring }),
      readVersion: (id) => {
        reads += 1;
        return store.version(id);
      },
    });
    const together = await Promise.all(Array.from({ length: 5 }, () => settings.masksNumbers(ws)));
    expect(together).toEqual([true, true, true, true, true]);
    expect(reads).toBe(1);
    // Another instance turns masking off (the version moves): the next read asks again and sees it.
    await store.changeTogether(ws, "U0ADMIN01", { action: "privacy", detail: { maskNumbers: false } }, (tx) =>
      writeMaskNumbers(tx, ws, false),
    );
    expect(await settings.masksNumbers(ws)).toBe(false);
    expect(reads).toBe(2);
  });

  it("a call's settings and masking come from one version read, and follow another instance's change", async () => {
    const { database, ws } = db();
    const store = createSettingsStore(database.prisma);
    const keyring = loadKeyring({
      currentKey: randomBytes(32).toString("base64"),
      production: false,
      dataDir: "/nonexistent",
      log: createLogger("silent"),
    });
    const secrets = createSecretStore({ db: database.prisma, keyring });
    let reads = 0;
    const settings = createSettingsService({
      store,
      secrets,
      readVersion: (id) => {
        reads += 1;
        return store.version(id);
      },
    });
    await settings.save(ws, { phoneNumber: "+12125550100" }, "U0ADMIN01");
    reads = 0;
    expect(await settings.getWithPrivacy(ws)).toEqual({
      settings: { phoneNumber: "+12125550100" },
      maskNumbers: true,
    });
    expect(reads).toBe(1);
    await store.changeTogether(ws, "U0ADMIN01", { action: "privacy", detail: { maskNumbers: false } }, (tx) =>
      writeMaskNumbers(tx, ws, false),
    );
    expect((await settings.getWithPrivacy(ws)).maskNumbers).toBe(false);
    expect(reads).toBe(2);
  });
});
