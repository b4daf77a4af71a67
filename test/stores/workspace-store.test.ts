import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/lib/log.js";
import { loadKeyring } from "../../src/services/store/keyring.js";
import { createSecretStore } from "../../src/services/store/secrets.js";
import {
  BOT_TOKEN,
  createWorkspaceStore,
  REFRESH_TOKEN,
  settingsVersionReader,
} from "../../src/services/workspaces/workspace-store.js";
import { at, useStoreDb } from "./store-db.js";

// The workspace store's promises (src/services/workspaces/workspace-store.ts): an install writes the
// workspace and its tokens (encrypted) together, and installing again is the same workspace with a new
// token version; an uninstall deletes the tokens at once, keeps the data, and happens once per Slack event
// (a replay, or an event older than the latest install, changes nothing); refreshed tokens are written
// only over the version they were read at, by the one instance holding the refresh lease.

const db = useStoreDb();
const KEY = { teamId: "T0NEW0001", enterpriseId: "" };

function stores() {
  const { database } = db();
  const keyring = loadKeyring({
    currentKey: randomBytes(32).toString("base64"),
    production: false,
    dataDir: "/nonexistent",
    log: createLogger("silent"),
  });
  const secrets = createSecretStore({ db: database.prisma, keyring });
  return { database, secrets, workspaces: createWorkspaceStore({ db: database.prisma, secrets }) };
}

describe("the workspace store", () => {
  it("install: the workspace and its tokens together; again, the same workspace with a new token version", async () => {
    const { workspaces, secrets, database } = stores();
    const first = await workspaces.install(
      KEY,
      { name: "Acme" },
      { botToken: "xoxb-1", refreshToken: "xoxe-1" },
      "U0A",
    );
    expect(await secrets.get(first.id, BOT_TOKEN)).toBe("xoxb-1");
    expect(await secrets.get(first.id, REFRESH_TOKEN)).toBe("xoxe-1");
    // The token is stored encrypted, never as given.
    expect(JSON.stringify(await database.prisma.secret.findMany())).not.toContain("xoxb-1");
    const again = await workspaces.install(KEY, { name: "Acme Realty" }, { botToken: "xoxb-2" }, "U0A");
    expect(again).toMatchObject({ id: first.id, name: "Acme Realty", tokenVersion: first.tokenVersion + 1 });
    expect(await secrets.get(first.id, BOT_TOKEN)).toBe("xoxb-2");
    expect(await secrets.get(first.id, REFRESH_TOKEN)).toBeUndefined();
    expect(await workspaces.byKey(KEY)).toMatchObject({ id: first.id });
    expect(
      await database.prisma.auditLog.count({ where: { workspaceId: first.id, action: "workspace.installed" } }),
    ).toBe(2);
  });

  it("uninstall: tokens gone at once, data kept; once per Slack event; an event older than the install changes nothing", async () => {
    const { workspaces, secrets, database } = stores();
    const ws = await workspaces.install(KEY, {}, { botToken: "xoxb-1" }, "U0A");
    await database.prisma.lead.create({ data: { workspaceId: ws.id, name: "Jane", nameSearch: "jane" } });
    // Slack's event time is in whole seconds, before the install: a late retry of an old uninstall.
    const old = { id: "Ev0OLD", time: new Date(ws.installedAt!.getTime() - 60_000) };
    expect(await workspaces.uninstall(ws.id, at(0), "app_uninstalled", old)).toBe(false);
    expect(await secrets.get(ws.id, BOT_TOKEN)).toBe("xoxb-1");
    const event = { id: "Ev0NOW", time: new Date(ws.installedAt!.getTime() + 60_000) };
    const twice = await Promise.allSettled([
      workspaces.uninstall(ws.id, at(0), "app_uninstalled", event),
      workspaces.uninstall(ws.id, at(0), "app_uninstalled", event),
    ]);
    // One delivery uninstalls; the other is told it was handled (false) or fails on the event's unique id.
    expect(twice.filter((r) => r.status === "fulfilled" && r.value === true)).toHaveLength(1);
    expect(await workspaces.uninstall(ws.id, at(1_000), "app_uninstalled", event)).toBe(false);
    expect(await secrets.get(ws.id, BOT_TOKEN)).toBeUndefined();
    expect(await workspaces.byId(ws.id)).toMatchObject({ uninstalledAt: at(0) });
    expect(await database.prisma.lead.count({ where: { workspaceId: ws.id } })).toBe(1);
    expect(
      await database.prisma.auditLog.count({ where: { workspaceId: ws.id, action: "workspace.uninstalled" } }),
    ).toBe(1);
  });

  it("token refresh: one instance holds the lease; tokens written only over the version read", async () => {
    const { workspaces, secrets } = stores();
    const ws = await workspaces.install(KEY, {}, { botToken: "xoxb-1", refreshToken: "xoxe-1" }, "U0A");
    const v = ws.tokenVersion;
    const leases = await Promise.all(
      Array.from({ length: 5 }, () => workspaces.leaseRefresh(ws.id, v, at(0), at(30_000))),
    );
    expect(leases.filter(Boolean)).toHaveLength(1);
    expect(await workspaces.leaseRefresh(ws.id, v, at(30_001), at(60_000))).toBe(true);
    // Two instances with the same version: the first write wins, the second is refused and changes nothing.
    expect(await workspaces.writeTokens(ws.id, v, { botToken: "xoxb-2", refreshToken: "xoxe-2" })).toBe(true);
    expect(await workspaces.writeTokens(ws.id, v, { botToken: "xoxb-3", refreshToken: "xoxe-3" })).toBe(false);
    expect(await secrets.get(ws.id, BOT_TOKEN)).toBe("xoxb-2");
    expect(await workspaces.byId(ws.id)).toMatchObject({ tokenVersion: v + 1, tokenRefreshUntil: null });
    // The old version's lease can no longer be taken.
    expect(await workspaces.leaseRefresh(ws.id, v, at(90_000), at(120_000))).toBe(false);
  });

  it("single-workspace mode: the first start claims the workspace rows were written under; later starts find it", async () => {
    const { workspaces, database } = stores();
    const { ws } = db();
    // The suite's workspace has a team already; the migrations' unclaimed one (rows from before
    // workspaces were written under it) waits.
    const unclaimed =
      (await database.prisma.workspace.findFirst({ where: { teamId: "", enterpriseId: "" } })) ??
      (await database.prisma.workspace.create({ data: { teamId: "", enterpriseId: "" } }));
    const claimed = await workspaces.claimSingle(KEY, { name: "Acme" });
    expect(claimed).toMatchObject({ id: unclaimed.id, teamId: KEY.teamId, name: "Acme" });
    expect(claimed.id).not.toBe(ws);
    expect(await workspaces.claimSingle(KEY, {})).toMatchObject({ id: unclaimed.id, name: "Acme" });
  });

  it("remove deletes the workspace and everything in it; the settings version reader then finds nothing", async () => {
    const { workspaces, database } = stores();
    const ws = await workspaces.install(KEY, {}, { botToken: "xoxb-1" }, "U0A");
    await database.prisma.lead.create({ data: { workspaceId: ws.id, name: "Jane", nameSearch: "jane" } });
    const version = settingsVersionReader(database);
    expect(await version(ws.id)).toBe(ws.settingsVersion);
    await workspaces.remove(ws.id);
    expect(await workspaces.byId(ws.id)).toBeUndefined();
    expect(await database.prisma.lead.count({ where: { workspaceId: ws.id } })).toBe(0);
    expect(await database.prisma.secret.count({ where: { workspaceId: ws.id } })).toBe(0);
    expect(await version(ws.id)).toBeUndefined();
  });
});
