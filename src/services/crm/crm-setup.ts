import { UserError } from "../../lib/errors.js";
import type { AuditService } from "../audit/audit-store.js";
import type { AdminGate } from "../setup/admin-gate.js";
import type { SecretStore } from "../store/secrets.js";
import { CrmError, type CrmIdentity, type CrmProvider, type CrmUserInfo } from "./connector.js";
import type { CrmStore } from "./crm-store.js";
import type { OutboxCounts, OutboxStore } from "./outbox-store.js";

/** The secret holding a workspace's CRM API key (AES-256-GCM, like Twilio's credentials). */
export const CRM_KEY_SECRET = "crm.apiKey";

export interface CrmConnected {
  provider: string;
  accountName: string;
  keyUserName: string;
  matched: { slackUserId: string; email: string }[];
  /** CRM users no Slack user has the email of (map them with `/crm-setup map`). */
  unmatched: CrmUserInfo[];
  webhooks: { registered: number; error: string | null };
}

export interface CrmStatus {
  connected: boolean;
  provider: string;
  accountName: string | null;
  keyUserName: string | null;
  webhookError: string | null;
  webhooksRegistered: boolean;
  users: { slackUserId: string; crmUserId: number; email: string }[];
  outbox: OutboxCounts;
  pausedUntil: Date | null;
}

export interface CrmSetup {
  /** Checks the key with the CRM (its own words when refused), then stores it encrypted and maps users by email. */
  connect(ws: number, by: string, apiKey: string): Promise<CrmConnected>;
  status(ws: number, by: string): Promise<CrmStatus>;
  /** Failed outbox rows back to waiting; returns how many. */
  retry(ws: number, by: string): Promise<number>;
  /** Maps a Slack user to the CRM user with this email. */
  mapUser(ws: number, by: string, slackUserId: string, email: string): Promise<CrmUserInfo>;
  disconnect(ws: number, by: string): Promise<void>;
}

export function createCrmSetup(deps: {
  provider: CrmProvider;
  store: CrmStore;
  outbox: Pick<OutboxStore, "counts" | "retryFailed">;
  secrets: SecretStore;
  admins: Pick<AdminGate, "require">;
  audit: AuditService;
  slackUserIdByEmail(ws: number, email: string): Promise<string | undefined>;
  /** Where the CRM's webhooks reach Leadline; without it (no public https address) none are registered. */
  webhookUrl(ws: number): string | undefined;
  now(): Date;
  /** Rows put back to waiting: the sender looks now rather than at its next tick. */
  retried?: () => void;
}): CrmSetup {
  const { provider } = deps;

  /** A CRM refusal, with the CRM's own words; a CRM that did not answer, said so. `asked`: what Leadline asked for. */
  const asUserError = (error: unknown, asked: "api_key" | "users"): never => {
    if (!(error instanceof CrmError)) throw error;
    if (error.failure.kind === "unauthorized" || error.failure.kind === "refused")
      throw UserError.of("crm_refused", {
        provider: provider.name,
        asked,
        status: error.status,
        said: error.crmMessage,
      });
    throw UserError.of("crm_unavailable", { provider: provider.name, said: error.crmMessage });
  };

  const registerWebhooks = async (ws: number, apiKey: string, identity: CrmIdentity) => {
    const url = deps.webhookUrl(ws);
    const existing = await deps.store.connection(ws);
    if (existing?.webhookIds) return { registered: existing.webhookIds.split(",").length, error: null };
    let error: string | null = null;
    let ids: number[] = [];
    if (!url) error = "Leadline has no public https address (PUBLIC_BASE_URL), so the CRM cannot reach it.";
    else if (!identity.isOwner) error = `Only the ${provider.name} account owner's key can add webhooks.`;
    else {
      try {
        ids = await provider
          .connect(apiKey)
          .registerWebhooks(url, [provider.peopleEvents.created, provider.peopleEvents.updated]);
      } catch (failure) {
        error = failure instanceof CrmError ? failure.crmMessage : "the webhooks could not be added";
      }
    }
    await deps.store.setWebhooks(ws, ids, error);
    return { registered: ids.length, error };
  };

  return {
    async connect(ws, by, apiKey) {
      await deps.admins.require(ws, by, "crm_settings", { at: "connect" });
      const key = apiKey.trim();
      if (!/^[\x21-\x7e]{8,200}$/.test(key))
        throw UserError.of("crm_key_format", { provider: provider.name }, { field: "apiKey" });
      const crm = provider.connect(key);
      const identity = await crm.identify().catch((error: unknown) => asUserError(error, "api_key"));
      const crmUsers = await crm.users().catch((error: unknown) => asUserError(error, "users"));
      const matched: { slackUserId: string; crmUserId: number; email: string }[] = [];
      const unmatched: CrmUserInfo[] = [];
      for (const user of crmUsers) {
        const slackUserId = await deps.slackUserIdByEmail(ws, user.email);
        if (slackUserId) matched.push({ slackUserId, crmUserId: user.id, email: user.email });
        else unmatched.push(user);
      }
      await deps.store.saveConnection(
        ws,
        { provider: provider.id, accountName: identity.accountName, keyUserName: identity.userName, connectedBy: by },
        matched,
        (tx) => deps.secrets.setMany(ws, { [CRM_KEY_SECRET]: key }, by, { tx }),
      );
      await deps.audit.record(ws, by, "crm.connected", {
        provider: provider.id,
        account: identity.accountName,
        keyUser: identity.userName,
        matched: matched.length,
      });
      const webhooks = await registerWebhooks(ws, key, identity);
      return {
        provider: provider.name,
        accountName: identity.accountName,
        keyUserName: identity.userName,
        matched,
        unmatched,
        webhooks,
      };
    },
    async status(ws, by) {
      await deps.admins.require(ws, by, "crm_settings", { at: "status" });
      const connection = await deps.store.connection(ws);
      return {
        connected: Boolean(connection),
        provider: provider.name,
        accountName: connection?.accountName ?? null,
        keyUserName: connection?.keyUserName ?? null,
        webhookError: connection?.webhookError ?? null,
        webhooksRegistered: Boolean(connection?.webhookIds),
        users: await deps.store.users(ws),
        outbox: await deps.outbox.counts(ws),
        pausedUntil: connection?.pausedUntil && connection.pausedUntil > deps.now() ? connection.pausedUntil : null,
      };
    },
    async retry(ws, by) {
      await deps.admins.require(ws, by, "crm_settings", { at: "retry" });
      const count = await deps.outbox.retryFailed(ws, deps.now());
      await deps.audit.record(ws, by, "crm.retry", { rows: count });
      if (count > 0) deps.retried?.();
      return count;
    },
    async mapUser(ws, by, slackUserId, email) {
      await deps.admins.require(ws, by, "crm_settings", { at: "map" });
      const key = await deps.secrets.get(ws, CRM_KEY_SECRET);
      if (!key) throw UserError.of("crm_not_connected", { provider: provider.name });
      const users = await provider
        .connect(key)
        .users()
        .catch((error: unknown) => asUserError(error, "users"));
      const wanted = email.trim().toLowerCase();
      const user = users.find((u) => u.email.toLowerCase() === wanted);
      if (!user) throw UserError.of("crm_user_unknown", { provider: provider.name, email: email.slice(0, 100) });
      await deps.store.mapUser(ws, slackUserId, user.id, user.email);
      await deps.audit.record(ws, by, "crm.user_mapped", { slackUserId, crmUserId: user.id });
      return user;
    },
    async disconnect(ws, by) {
      await deps.admins.require(ws, by, "crm_settings", { at: "disconnect" });
      await deps.store.removeConnection(ws);
      await deps.secrets.setMany(ws, { [CRM_KEY_SECRET]: null }, by);
      await deps.audit.record(ws, by, "crm.disconnected", { provider: provider.id });
    },
  };
}
