import type { Workspace } from "@prisma/client";
import { type DatabaseHandle, type Db, statements } from "../store/db.js";
import type { SecretStore } from "../store/secrets.js";

export const BOT_TOKEN = "slack.botToken";
export const REFRESH_TOKEN = "slack.refreshToken";
export const LEADS_API_TOKEN_HASH = "leads.apiTokenHash";

export interface WorkspaceKey {
  teamId: string;
  enterpriseId: string;
}

export interface WorkspaceFacts {
  name?: string | null;
  botUserId?: string | null;
  botId?: string | null;
  appId?: string | null;
  installerUserId?: string | null;
  isEnterpriseInstall?: boolean;
}

export interface BotTokens {
  botToken: string;
  refreshToken?: string;
  expiresAt?: Date;
}

/** Every query about workspaces (tenants); their Slack tokens live encrypted in the secret store. */
export interface WorkspaceStore {
  byId(id: number): Promise<Workspace | undefined>;
  byKey(key: WorkspaceKey): Promise<Workspace | undefined>;
  /**
   * Single-workspace mode: the workspace of SLACK_BOT_TOKEN. Rows written before workspaces existed
   * belong to a workspace with no team yet; the first start claims it for the token's team.
   */
  claimSingle(key: WorkspaceKey, facts: WorkspaceFacts): Promise<Workspace>;
  /** An OAuth install: the workspace (new, or the same one again) and its tokens, in one transaction. */
  install(key: WorkspaceKey, facts: WorkspaceFacts, tokens: BotTokens, actor: string): Promise<Workspace>;
  /**
   * Uninstalled or tokens revoked: tokens deleted at once, requests refused from `at`, data kept — unless
   * the event that says so (Slack's event id and time) was handled before or is older than the latest
   * install (a replay, a late retry): false then.
   */
  uninstall(id: number, at: Date, reason: string, event?: { id?: string; time?: Date }): Promise<boolean>;
  /** Deletes a workspace and everything in it (leads, notes, calls, settings, audit rows). */
  remove(id: number): Promise<void>;
  /** Takes the refresh lease when the token still has `version`; false when another instance holds it or wrote a newer one. */
  leaseRefresh(id: number, version: number, now: Date, until: Date): Promise<boolean>;
  /** Writes refreshed tokens only over `version` (a conditional write): a racing instance never loses the newer token. */
  writeTokens(id: number, version: number, tokens: BotTokens): Promise<boolean>;
}

/** The workspaces as operator scripts see them: list, what one holds, remove one. */
export interface WorkspaceDirectory {
  /** Every workspace, oldest first. */
  all(): Promise<Workspace[]>;
  /** How much a workspace holds (what removing it deletes). */
  contents(id: number): Promise<{ leads: number; calls: number }>;
  /** Deletes a workspace and everything in it (leads, notes, calls, settings, audit rows). */
  remove(id: number): Promise<void>;
}

export function createWorkspaceDirectory(db: Db): WorkspaceDirectory {
  return {
    all: () => db.workspace.findMany({ orderBy: { id: "asc" } }),
    async contents(id) {
      const [leads, calls] = await Promise.all([
        db.lead.count({ where: { workspaceId: id } }),
        db.call.count({ where: { workspaceId: id } }),
      ]);
      return { leads, calls };
    },
    async remove(id) {
      await db.workspace.delete({ where: { id } });
    },
  };
}

export function createWorkspaceStore({ db, secrets }: { db: Db; secrets: SecretStore }): WorkspaceStore {
  const tokenSecrets = (tokens: BotTokens) => ({
    [BOT_TOKEN]: tokens.botToken,
    [REFRESH_TOKEN]: tokens.refreshToken ?? null,
  });
  const facts = (f: WorkspaceFacts) =>
    Object.fromEntries(Object.entries(f).filter(([, value]) => value !== undefined)) as WorkspaceFacts;

  return {
    async byId(id) {
      return (await db.workspace.findUnique({ where: { id } })) ?? undefined;
    },
    async byKey(key) {
      return (await db.workspace.findUnique({ where: { enterpriseId_teamId: key } })) ?? undefined;
    },
    async claimSingle(key, f) {
      const claim = () =>
        db.$transaction(async (tx) => {
          const existing = await tx.workspace.findUnique({ where: { enterpriseId_teamId: key } });
          if (existing)
            return tx.workspace.update({
              where: { id: existing.id },
              data: {
                ...facts(f),
                ...(existing.uninstalledAt ? { uninstalledAt: null, installedAt: new Date() } : {}),
              },
            });
          const unclaimed = await tx.workspace.findFirst({
            where: { teamId: "", enterpriseId: "" },
            orderBy: { id: "asc" },
          });
          if (unclaimed) return tx.workspace.update({ where: { id: unclaimed.id }, data: { ...key, ...facts(f) } });
          return tx.workspace.create({ data: { ...key, ...facts(f) } });
        });
      try {
        return await claim();
      } catch (error) {
        // Two instances starting at once on a fresh database: the other one created the row first.
        if ((error as { code?: string })?.code !== "P2002") throw error;
        return claim();
      }
    },
    async install(key, f, tokens, actor) {
      return db.$transaction(async (tx) => {
        const workspace = await tx.workspace.upsert({
          where: { enterpriseId_teamId: key },
          create: { ...key, ...facts(f), tokenExpiresAt: tokens.expiresAt ?? null, installedAt: new Date() },
          update: {
            ...facts(f),
            uninstalledAt: null,
            installedAt: new Date(),
            tokenExpiresAt: tokens.expiresAt ?? null,
            tokenVersion: { increment: 1 },
          },
        });
        await secrets.setMany(workspace.id, tokenSecrets(tokens), actor, { tx });
        await tx.auditLog.create({
          data: { workspaceId: workspace.id, actor, action: "workspace.installed", detail: JSON.stringify(key) },
        });
        return workspace;
      });
    },
    async uninstall(id, at, reason, event = {}) {
      return db.$transaction(async (tx) => {
        if (event.id) {
          // Two deliveries at once: the second's insert fails the transaction, and its retry finds the row.
          if (await tx.slackEventSeen.findUnique({ where: { eventId: event.id } })) return false;
          await tx.slackEventSeen.create({ data: { eventId: event.id, seenAt: at } });
          await tx.slackEventSeen.deleteMany({ where: { seenAt: { lt: new Date(at.getTime() - 7 * 86_400_000) } } });
        }
        // An event from before the latest install (Slack's event_time, whole seconds) is a replay or late retry.
        const current = event.time ? { OR: [{ installedAt: null }, { installedAt: { lt: event.time } }] } : {};
        const done = await tx.workspace.updateMany({
          where: { id, ...current },
          data: { uninstalledAt: at, tokenVersion: { increment: 1 } },
        });
        if (done.count === 0) return false;
        await secrets.deletePrefix(id, "slack.", tx);
        await secrets.deletePrefix(id, "leads.", tx);
        await tx.auditLog.create({
          data: {
            workspaceId: id,
            actor: "slack",
            action: "workspace.uninstalled",
            detail: JSON.stringify({ reason }),
          },
        });
        return true;
      });
    },
    remove: (id) => createWorkspaceDirectory(db).remove(id),
    async leaseRefresh(id, version, now, until) {
      const taken = await db.workspace.updateMany({
        where: {
          id,
          tokenVersion: version,
          OR: [{ tokenRefreshUntil: null }, { tokenRefreshUntil: { lt: now } }],
        },
        data: { tokenRefreshUntil: until },
      });
      return taken.count === 1;
    },
    async writeTokens(id, version, tokens) {
      return db.$transaction(async (tx) => {
        const written = await tx.workspace.updateMany({
          where: { id, tokenVersion: version },
          data: { tokenVersion: { increment: 1 }, tokenExpiresAt: tokens.expiresAt ?? null, tokenRefreshUntil: null },
        });
        if (written.count !== 1) return false;
        await secrets.setMany(id, tokenSecrets(tokens), "token-rotation", { tx });
        return true;
      });
    },
  };
}

/**
 * The workspace's settings version, read on every call and webhook to know whether the cached settings
 * are current: a prepared statement on SQLite's read connection (never waits on writers), one prepared
 * statement on PostgreSQL's pool. Undefined when the workspace does not exist.
 */
export function settingsVersionReader(database: DatabaseHandle): (ws: number) => Promise<number | undefined> {
  if (database.sqlite) {
    const read = database.sqlite.reader.prepare(
      `SELECT "settingsVersion" AS "version" FROM "Workspace" WHERE "id" = ?`,
    );
    return async (ws) => (read.get(ws) as { version: number } | undefined)?.version;
  }
  const { rows } = statements(database);
  return async (ws) => {
    const [row] = await rows<{ version: number }>(
      `SELECT "settingsVersion" AS "version" FROM "Workspace" WHERE "id" = ?`,
      ws,
    );
    return row === undefined ? undefined : Number(row.version);
  };
}
