import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Workspace } from "@prisma/client";
import type { Clock } from "../../lib/clock.js";
import type { Logger } from "../../lib/log.js";
import type { AuditService } from "../audit/audit-store.js";
import type { SecretStore } from "../store/secrets.js";
import {
  BOT_TOKEN,
  type BotTokens,
  LEADS_API_TOKEN_HASH,
  REFRESH_TOKEN,
  type WorkspaceFacts,
  type WorkspaceKey,
  type WorkspaceStore,
} from "./workspace-store.js";

/** Refresh a rotating token this long before it expires (Slack's tokens live 12 hours). */
const REFRESH_BEFORE_MS = 30 * 60_000;
const REFRESH_LEASE_MS = 30_000;

export type TokenRefresher = (refreshToken: string) => Promise<BotTokens>;

export interface ActiveWorkspace {
  id: number;
  teamId: string;
  enterpriseId: string;
  botToken: string;
  botUserId?: string;
  botId?: string;
}

/**
 * The tenants: which workspace a Slack request or a webhook belongs to, and its bot token (kept
 * fresh when Slack rotates tokens, also for work no Slack request triggers).
 */
export interface Workspaces {
  readonly mode: "single" | "oauth";
  /** Single-workspace mode: the workspace of SLACK_BOT_TOKEN (claimed at start). */
  startSingle(key: WorkspaceKey, facts: WorkspaceFacts): Promise<Workspace>;
  /** The installed, active workspace for a request's team/enterprise, with a current token; undefined when not installed. */
  resolve(key: {
    teamId?: string;
    enterpriseId?: string;
    isEnterpriseInstall?: boolean;
  }): Promise<ActiveWorkspace | undefined>;
  /**
   * The workspace for a team/enterprise, installed or not, without touching its token: for the events
   * Slack sends without authorization (app_uninstalled, tokens_revoked).
   */
  idFor(key: { teamId?: string; enterpriseId?: string; isEnterpriseInstall?: boolean }): Promise<number | undefined>;
  /** The workspace's bot token for background work (refreshed first when it is about to expire). */
  botToken(ws: number): Promise<string | undefined>;
  /** Uninstalled workspaces get nothing: no webhooks, no lead API, no Slack requests. */
  isActive(ws: number): Promise<boolean>;
  install(key: WorkspaceKey, facts: WorkspaceFacts, tokens: BotTokens, actor: string): Promise<Workspace>;
  /**
   * Slack said the app was uninstalled (or its tokens revoked). An event already handled, or older than
   * the latest install (a replay, a late retry), changes nothing: false then.
   */
  uninstall(ws: number, reason: string, event?: { id?: string; time?: Date }): Promise<boolean>;
  /**
   * A new lead API token for the workspace (OAuth mode); only its hash is kept. Returns a single-use,
   * 10-minute link to the page that shows the token once (the token never goes into Slack).
   */
  rotateLeadsApiToken(ws: number, actor: string): Promise<string>;
  /** The token behind a reveal link, once; undefined when used, expired or unknown. */
  revealLeadsApiToken(ws: number, linkId: string): Promise<string | undefined>;
  /** The workspace a lead API bearer token belongs to, or undefined. */
  workspaceForLeadsToken(token: string): Promise<number | undefined>;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

export function createWorkspaces(deps: {
  store: WorkspaceStore;
  secrets: SecretStore;
  mode: "single" | "oauth";
  /** Single mode: SLACK_BOT_TOKEN (not stored in the database) and LEADS_API_TOKEN. */
  singleToken?: string;
  singleLeadsToken?: string;
  refresh?: TokenRefresher;
  publicBaseUrl?: string;
  clock: Clock;
  log: Logger;
  audit?: AuditService;
}): Workspaces {
  let single: Workspace | undefined;
  const refreshing = new Map<number, Promise<string | undefined>>();

  const freshToken = async (workspace: Workspace): Promise<string | undefined> => {
    const stored = await deps.secrets.getMany(workspace.id, [BOT_TOKEN, REFRESH_TOKEN]);
    const token = stored.values[BOT_TOKEN];
    const expires = workspace.tokenExpiresAt?.getTime();
    const refreshToken = stored.values[REFRESH_TOKEN];
    if (!token || !expires || !refreshToken || !deps.refresh) return token;
    if (expires - deps.clock.now().getTime() > REFRESH_BEFORE_MS) return token;
    // One refresh per workspace in this process; across instances the lease decides who asks Slack.
    let pending = refreshing.get(workspace.id);
    if (!pending) {
      pending = refreshOnce(workspace, refreshToken).finally(() => refreshing.delete(workspace.id));
      refreshing.set(workspace.id, pending);
    }
    return (await pending) ?? token;
  };

  const refreshOnce = async (workspace: Workspace, refreshToken: string): Promise<string | undefined> => {
    const now = deps.clock.now();
    let leased: boolean;
    try {
      leased = await deps.store.leaseRefresh(
        workspace.id,
        workspace.tokenVersion,
        now,
        new Date(now.getTime() + REFRESH_LEASE_MS),
      );
    } catch (error) {
      // The current token is still valid for a while: a database hiccup here must not fail the request.
      deps.log.warn(
        { err: error, workspace: workspace.id },
        "could not take the token refresh lease; using the current token",
      );
      return undefined;
    }
    if (leased) {
      try {
        const tokens = await deps.refresh!(refreshToken);
        if (await deps.store.writeTokens(workspace.id, workspace.tokenVersion, tokens)) {
          deps.log.info({ workspace: workspace.id }, "refreshed the workspace's rotating bot token");
          return tokens.botToken;
        }
      } catch (error) {
        deps.log.error(
          { err: error, workspace: workspace.id },
          "could not refresh the bot token; using the current one",
        );
        return undefined;
      }
    }
    // Another instance is refreshing (or just did): wait for its newer token.
    for (let tries = 0; tries < 40; tries += 1) {
      const latest = await deps.store.byId(workspace.id);
      if (latest && latest.tokenVersion !== workspace.tokenVersion) {
        return (await deps.secrets.get(workspace.id, BOT_TOKEN)) ?? undefined;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return undefined;
  };

  const service: Workspaces = {
    mode: deps.mode,
    async startSingle(key, facts) {
      single = await deps.store.claimSingle(key, facts);
      return single;
    },
    async idFor({ teamId, enterpriseId, isEnterpriseInstall }) {
      if (deps.mode === "single") return single?.id;
      const key = isEnterpriseInstall
        ? { enterpriseId: enterpriseId ?? "", teamId: "" }
        : { enterpriseId: enterpriseId ?? "", teamId: teamId ?? "" };
      return (
        (await deps.store.byKey(key)) ??
        (enterpriseId && !isEnterpriseInstall ? await deps.store.byKey({ enterpriseId, teamId: "" }) : undefined)
      )?.id;
    },
    async resolve({ teamId, enterpriseId, isEnterpriseInstall }) {
      if (deps.mode === "single") {
        if (!single || !deps.singleToken) return undefined;
        return {
          id: single.id,
          teamId: single.teamId,
          enterpriseId: single.enterpriseId,
          botToken: deps.singleToken,
          botUserId: single.botUserId ?? undefined,
          botId: single.botId ?? undefined,
        };
      }
      // An org-wide install answers for every team of the enterprise; a team install for its team.
      const key = isEnterpriseInstall
        ? { enterpriseId: enterpriseId ?? "", teamId: "" }
        : { enterpriseId: enterpriseId ?? "", teamId: teamId ?? "" };
      const workspace =
        (await deps.store.byKey(key)) ??
        (enterpriseId && !isEnterpriseInstall ? await deps.store.byKey({ enterpriseId, teamId: "" }) : undefined);
      if (!workspace || workspace.uninstalledAt) return undefined;
      const botToken = await freshToken(workspace);
      if (!botToken) return undefined;
      return {
        id: workspace.id,
        teamId: workspace.teamId,
        enterpriseId: workspace.enterpriseId,
        botToken,
        botUserId: workspace.botUserId ?? undefined,
        botId: workspace.botId ?? undefined,
      };
    },
    async botToken(ws) {
      if (deps.mode === "single") return single && single.id === ws ? deps.singleToken : undefined;
      const workspace = await deps.store.byId(ws);
      if (!workspace || workspace.uninstalledAt) return undefined;
      return freshToken(workspace);
    },
    async isActive(ws) {
      if (deps.mode === "single") return single?.id === ws;
      const workspace = await deps.store.byId(ws);
      return Boolean(workspace && !workspace.uninstalledAt);
    },
    install: (key, facts, tokens, actor) => deps.store.install(key, facts, tokens, actor),
    async uninstall(ws, reason, event) {
      const done = await deps.store.uninstall(ws, deps.clock.now(), reason, event);
      if (done)
        deps.log.warn(
          { workspace: ws, reason },
          "workspace uninstalled: its tokens are deleted and its requests refused",
        );
      else
        deps.log.info(
          { workspace: ws, reason },
          "ignored an uninstall event already handled or older than the install",
        );
      return done;
    },
    async rotateLeadsApiToken(ws, actor) {
      const token = `ll_${ws}_${randomBytes(24).toString("base64url")}`;
      const linkId = randomBytes(18).toString("base64url");
      await deps.secrets.setMany(ws, { [LEADS_API_TOKEN_HASH]: sha256(token) }, actor);
      await deps.secrets.setMany(ws, { [`reveal:${linkId}`]: token }, actor, {
        expiresAt: new Date(deps.clock.now().getTime() + 10 * 60_000),
      });
      await deps.audit?.record(ws, actor, "leads_api.token_rotated", {});
      return `${deps.publicBaseUrl ?? ""}/api-token?ws=${ws}&t=${linkId}`;
    },
    async revealLeadsApiToken(ws, linkId) {
      if (!/^[\w-]{20,40}$/.test(linkId)) return undefined;
      const name = `reveal:${linkId}`;
      const token = await deps.secrets.get(ws, name);
      // Single use: only the request that deletes the row shows it.
      if (!token || (await deps.secrets.deletePrefix(ws, name)) !== 1) return undefined;
      return token;
    },
    async workspaceForLeadsToken(token) {
      if (deps.mode === "single") {
        const expected = deps.singleLeadsToken;
        if (!single || !expected) return undefined;
        const a = Buffer.from(token);
        const b = Buffer.from(expected);
        return a.length === b.length && timingSafeEqual(a, b) ? single.id : undefined;
      }
      const match = /^ll_(\d{1,9})_[\w-]{20,}$/.exec(token);
      if (!match) return undefined;
      const ws = Number(match[1]);
      if (!(await service.isActive(ws))) return undefined;
      const hash = await deps.secrets.get(ws, LEADS_API_TOKEN_HASH);
      if (!hash) return undefined;
      const a = Buffer.from(sha256(token));
      const b = Buffer.from(hash);
      return a.length === b.length && timingSafeEqual(a, b) ? ws : undefined;
    },
  };
  return service;
}
