import { randomBytes } from "node:crypto";
import { blockKitProblems, viewProblems } from "./block-kit-limits.js";

type Json = Record<string, unknown>;

/** A workspace member, in the fields of Slack's `users.info` that Leadline reads. */
export interface SlackUser {
  id: string;
  name: string;
  real_name?: string;
  is_admin?: boolean;
  is_owner?: boolean;
  /** IANA zone; America/New_York when not set. */
  tz?: string;
  /** The team the user belongs to; without one the user is a member of every team (single-team tests). */
  team?: string;
}

export interface SandboxMessage {
  channel: string;
  ts: string;
  /** A user id, or undefined for the app's bot. */
  user?: string;
  text: string;
  blocks?: Json[];
  threadTs?: string;
  /** Set on an ephemeral message: the only user who sees it. */
  visibleTo?: string;
  files?: { id: string; name: string; title: string; bytes: number }[];
  edited?: boolean;
  /** The texts an edited message had before, oldest first. */
  history?: string[];
}

export interface SandboxView {
  id: string;
  /** The user whose modal stack holds it; empty for a view opened with a trigger id the workspace did not issue. */
  user: string;
  view: Json;
  hash: string;
  errors: Record<string, string>;
}

/** Where a response_url posts to: the channel and user of the command or click that made it. */
export interface ResponseTarget {
  /** Without a channel (a response_url a test made up), answers are checked and acknowledged only. */
  channel?: string;
  user?: string;
  /** The message the click came from, for replace_original / delete_original. */
  messageTs?: string;
}

/** Who the workspace and the app's bot are, as auth.test and payloads name them. */
export interface WorkspaceIdentity {
  team: { id: string; domain: string; name: string };
  botUserId: string;
  botId: string;
  appId: string;
}

export const SANDBOX_IDENTITY: WorkspaceIdentity = {
  team: { id: "T0SANDBOX", domain: "leadline-sandbox", name: "Leadline Sandbox" },
  botUserId: "U0LEADLINE",
  botId: "B0LEADLINE",
  appId: "A0LEADLINE",
};

export interface WorkspaceOptions {
  /** The simulator's own address (response_urls, uploads, permalinks); known once it listens. */
  baseUrl: () => string;
  identity?: WorkspaceIdentity;
  /**
   * Tests make up their own ids, so in an open world the workspace accepts what it was not told
   * about: any user id (U…/W…) is a member (`users.info` still knows only `users`), any channel id
   * (C…/G…) exists (the bot is a member only of `botChannels`), trigger ids it did not issue open
   * views, and a thread_ts need not name a stored message. The sandbox is a closed world.
   */
  openWorld?: boolean;
}

/**
 * The state of a simulated Slack workspace and the Web API methods Leadline calls, answering
 * with Slack's shapes and errors (not_in_channel, invalid_blocks, expired_trigger_id, …).
 */
export class Workspace {
  readonly users = new Map<string, SlackUser>();
  readonly channels = new Map<string, { id: string; name: string }>();
  /** Channels the bot is a member of; posting elsewhere gives `not_in_channel`. */
  readonly botChannels = new Set<string>();
  readonly messages: SandboxMessage[] = [];
  readonly views = new Map<string, SandboxView>();
  /** Each user's App Home view (views.publish). */
  readonly homes = new Map<string, SandboxView>();
  /** Each user's modal stack, bottom first. */
  readonly modals = new Map<string, string[]>();
  readonly files = new Map<string, { name: string; title: string; bytes: Buffer; type: string }>();
  readonly identity: WorkspaceIdentity;
  readonly openWorld: boolean;
  readonly baseUrl: () => string;
  private readonly triggers = new Map<string, { user: string; expires: number }>();
  private readonly responseUrls = new Map<string, ResponseTarget>();
  private readonly listeners: (() => void)[] = [];
  private counter = 0;
  version = 0;

  constructor(options: WorkspaceOptions) {
    this.baseUrl = options.baseUrl;
    this.identity = options.identity ?? SANDBOX_IDENTITY;
    this.openWorld = options.openWorld ?? false;
  }

  onChange(listener: () => void): () => void {
    this.listeners.push(listener);
    return () => this.listeners.splice(this.listeners.indexOf(listener), 1);
  }

  changed(): void {
    this.version += 1;
    for (const listener of this.listeners) listener();
  }

  private nextTs(): string {
    this.counter += 1;
    const now = Date.now();
    return `${Math.floor(now / 1000)}.${String((now % 1000) * 1000 + (this.counter % 1000)).padStart(6, "0")}`;
  }

  isUser(id: string): boolean {
    return this.users.has(id) || (this.openWorld && /^[UW][A-Z0-9]+$/.test(id));
  }

  channelExists(id: string): boolean {
    return this.channels.has(id) || (this.openWorld && /^[CG][A-Z0-9]+$/.test(id));
  }

  /** Slack gives each command or click a trigger id that opens a modal within 3 s, once. */
  issueTrigger(user: string): string {
    this.counter += 1;
    const id = `${Date.now()}.${this.counter}.sandbox${this.counter.toString(16)}`;
    this.triggers.set(id, { user, expires: Date.now() + 3_000 });
    return id;
  }

  issueResponseUrl(target: ResponseTarget = {}): string {
    this.counter += 1;
    const id = `R${this.counter}${Math.random().toString(36).slice(2, 10)}`;
    this.responseUrls.set(id, target);
    return `${this.baseUrl()}/response/${id}`;
  }

  find(channel: string, ts: string): SandboxMessage | undefined {
    return this.messages.find((message) => message.channel === channel && message.ts === ts);
  }

  post(message: Omit<SandboxMessage, "ts">): SandboxMessage {
    const stored = { ...message, ts: this.nextTs() };
    this.messages.push(stored);
    this.changed();
    return stored;
  }

  /** Posts a user's own line into the channel, as the composer does for plain text. */
  say(user: string, channel: string, text: string): SandboxMessage {
    return this.post({ channel, user, text });
  }

  /** What a response_url does with a message: in_channel, ephemeral, replace_original or delete_original. */
  respond(id: string, body: Json): { ok: boolean; error?: string } {
    const target = this.responseUrls.get(id);
    if (!target) return { ok: false, error: "expired_url" };
    const source = target.channel && target.messageTs ? this.find(target.channel, target.messageTs) : undefined;
    if (body.delete_original === true && source) {
      this.messages.splice(this.messages.indexOf(source), 1);
      this.changed();
      return { ok: true };
    }
    const problems = blockKitProblems(body.blocks, "message");
    if (problems.length > 0) return { ok: false, error: `invalid_blocks: ${problems.join("; ")}` };
    if (!target.channel) return { ok: true };
    const content = {
      text: String(body.text ?? ""),
      blocks: body.blocks as Json[] | undefined,
    };
    if (body.replace_original === true && source) {
      Object.assign(source, content, { edited: !source.visibleTo });
      this.changed();
      return { ok: true };
    }
    const inChannel = body.response_type === "in_channel";
    this.post({
      channel: target.channel,
      ...content,
      threadTs: typeof body.thread_ts === "string" ? body.thread_ts : undefined,
      visibleTo: inChannel ? undefined : target.user,
    });
    return { ok: true };
  }

  /**
   * The Web API: one method call with its arguments, answered as Slack answers. `team` is the team
   * the call's token was issued for (through OAuth); without it, the workspace's own identity.
   */
  call(method: string, args: Json, team?: SlackTeam): Json {
    switch (method) {
      case "auth.test":
        if (team) {
          return {
            ok: true,
            url: `https://${team.domain}.slack.com/`,
            team: team.name,
            user: "leadline",
            team_id: team.id,
            user_id: team.botUserId,
            bot_id: team.botId,
            ...(team.enterpriseId ? { enterprise_id: team.enterpriseId } : {}),
            is_enterprise_install: false,
          };
        }
        return {
          ok: true,
          url: `https://${this.identity.team.domain}.slack.com/`,
          team: this.identity.team.name,
          user: "leadline",
          team_id: this.identity.team.id,
          user_id: this.identity.botUserId,
          bot_id: this.identity.botId,
        };
      case "chat.postMessage":
        return this.postMessage(args);
      case "chat.postEphemeral": {
        const channel = String(args.channel ?? "");
        const user = String(args.user ?? "");
        if (!this.isUser(user)) return { ok: false, error: "user_not_found" };
        if (!this.channelExists(channel)) return { ok: false, error: "channel_not_found" };
        if (!this.botChannels.has(channel)) return { ok: false, error: "not_in_channel" };
        const problems = blockKitProblems(args.blocks, "message");
        if (problems.length > 0) return { ok: false, error: "invalid_blocks", errors: problems };
        const message = this.post({
          channel,
          text: String(args.text ?? ""),
          blocks: args.blocks as Json[] | undefined,
          threadTs: args.thread_ts ? String(args.thread_ts) : undefined,
          visibleTo: user,
        });
        return { ok: true, message_ts: message.ts };
      }
      case "chat.update": {
        const message = this.find(String(args.channel), String(args.ts));
        if (!message || message.visibleTo) return { ok: false, error: "message_not_found" };
        if (message.user) return { ok: false, error: "cant_update_message" };
        const problems = blockKitProblems(args.blocks, "message");
        if (problems.length > 0) return { ok: false, error: "invalid_blocks", errors: problems };
        message.history = [...(message.history ?? []), message.text];
        if (args.text !== undefined) message.text = String(args.text);
        if (args.blocks !== undefined) message.blocks = args.blocks as Json[];
        message.edited = true;
        this.changed();
        return { ok: true, channel: message.channel, ts: message.ts, text: message.text };
      }
      case "chat.delete": {
        const message = this.find(String(args.channel), String(args.ts));
        if (!message) return { ok: false, error: "message_not_found" };
        this.messages.splice(this.messages.indexOf(message), 1);
        this.changed();
        return { ok: true, channel: message.channel, ts: message.ts };
      }
      case "chat.getPermalink":
        return {
          ok: true,
          permalink: `${this.baseUrl()}/sandbox#${String(args.channel)}-${String(args.message_ts)}`,
        };
      case "conversations.info": {
        const id = String(args.channel ?? "");
        if (!this.channelExists(id)) return { ok: false, error: "channel_not_found" };
        const channel = this.channels.get(id) ?? { id, name: id.toLowerCase() };
        return { ok: true, channel: { ...channel, is_channel: true, is_member: this.botChannels.has(id) } };
      }
      case "users.info": {
        const user = this.users.get(String(args.user));
        // A token of one team sees only that team's members.
        if (!user || (team && user.team && user.team !== team.id)) return { ok: false, error: "user_not_found" };
        const realName = user.real_name ?? user.name;
        return {
          ok: true,
          user: {
            id: user.id,
            team_id: user.team ?? team?.id ?? this.identity.team.id,
            name: user.name,
            real_name: realName,
            is_admin: user.is_admin ?? false,
            is_owner: user.is_owner ?? false,
            is_bot: false,
            tz: user.tz ?? "America/New_York",
            profile: { real_name: realName, display_name: user.name },
          },
        };
      }
      case "views.open":
      case "views.push":
        return this.openView(method, args);
      case "views.update":
        return this.updateView(args);
      case "views.publish":
        return this.publishView(args);
      case "files.getUploadURLExternal": {
        const length = Number(args.length ?? 0);
        if (!args.filename || !(length > 0)) return { ok: false, error: "invalid_arguments" };
        this.counter += 1;
        const id = `F${String(this.counter).padStart(9, "0")}`;
        this.files.set(id, {
          name: String(args.filename),
          title: String(args.filename),
          bytes: Buffer.alloc(0),
          type: "",
        });
        return { ok: true, upload_url: `${this.baseUrl()}/upload/${id}`, file_id: id };
      }
      case "files.completeUploadExternal":
        return this.completeUpload(args);
      default:
        return { ok: false, error: "unknown_method" };
    }
  }

  upload(id: string, bytes: Buffer, type: string): boolean {
    const file = this.files.get(id);
    if (!file) return false;
    file.bytes = bytes;
    file.type = type;
    return true;
  }

  private postMessage(args: Json): Json {
    let channel = String(args.channel ?? "");
    if (this.isUser(channel)) {
      // A user id as the channel posts into the app's DM with that user.
      channel = `D${channel.slice(1)}`;
    } else if (!channel.startsWith("D")) {
      if (!this.channelExists(channel)) return { ok: false, error: "channel_not_found" };
      if (!this.botChannels.has(channel)) return { ok: false, error: "not_in_channel" };
    }
    if (!args.text && !args.blocks) return { ok: false, error: "no_text" };
    const problems = blockKitProblems(args.blocks, "message");
    if (problems.length > 0) return { ok: false, error: "invalid_blocks", errors: problems };
    const threadTs = args.thread_ts ? String(args.thread_ts) : undefined;
    if (threadTs && !this.openWorld && !this.find(channel, threadTs)) return { ok: false, error: "thread_not_found" };
    const message = this.post({
      channel,
      text: String(args.text ?? ""),
      blocks: args.blocks as Json[] | undefined,
      threadTs,
    });
    return { ok: true, channel, ts: message.ts, message: this.messageJson(message) };
  }

  /** The user a trigger id was issued for; "" for one the workspace did not issue, in an open world. */
  private takeTrigger(id: string): { user: string } | { error: string } {
    if (!id) return { error: "invalid_arguments" };
    const trigger = this.triggers.get(id);
    if (!trigger) return this.openWorld ? { user: "" } : { error: "invalid_trigger_id" };
    this.triggers.delete(id);
    if (trigger.expires < Date.now()) return { error: "expired_trigger_id" };
    return { user: trigger.user };
  }

  private openView(method: string, args: Json): Json {
    const trigger = this.takeTrigger(String(args.trigger_id ?? args.interactivity_pointer ?? ""));
    if ("error" in trigger) return { ok: false, error: trigger.error };
    const view = args.view as Json;
    const problems = viewProblems(view);
    if (problems.length > 0)
      return { ok: false, error: "invalid_arguments", response_metadata: { messages: problems } };
    // A view opened with a made-up trigger belongs to no one's modal stack.
    if (!trigger.user) {
      const stored = this.storeView("", view);
      this.changed();
      return { ok: true, view: this.viewJson(stored) };
    }
    const stack = this.modals.get(trigger.user) ?? [];
    if (method === "views.push" && stack.length === 0) return { ok: false, error: "not_found" };
    if (method === "views.push" && stack.length >= 3) return { ok: false, error: "push_limit_reached" };
    const stored = this.storeView(trigger.user, view);
    this.modals.set(trigger.user, method === "views.open" ? [stored.id] : [...stack, stored.id]);
    this.changed();
    return { ok: true, view: this.viewJson(stored) };
  }

  private updateView(args: Json): Json {
    const existing = this.views.get(String(args.view_id ?? ""));
    if (!existing) return { ok: false, error: "not_found" };
    if (args.hash && args.hash !== existing.hash) return { ok: false, error: "hash_conflict" };
    const view = args.view as Json;
    const problems = viewProblems(view);
    if (problems.length > 0)
      return { ok: false, error: "invalid_arguments", response_metadata: { messages: problems } };
    this.replaceView(existing, view);
    return { ok: true, view: this.viewJson(existing) };
  }

  private publishView(args: Json): Json {
    const user = String(args.user_id ?? "");
    if (!this.isUser(user)) return { ok: false, error: "user_not_found" };
    const view = args.view as Json;
    const problems = blockKitProblems(view?.blocks, "modal");
    if (problems.length > 0)
      return { ok: false, error: "invalid_arguments", response_metadata: { messages: problems } };
    const existing = this.homes.get(user);
    if (existing) {
      this.counter += 1;
      existing.view = view;
      existing.hash = `${Date.now()}.${this.counter}`;
    } else {
      this.counter += 1;
      this.homes.set(user, {
        id: `V${String(this.counter).padStart(10, "0")}`,
        user,
        view,
        hash: `${Date.now()}.${this.counter}`,
        errors: {},
      });
    }
    this.changed();
    return { ok: true, view: this.viewJson(this.homes.get(user)!) };
  }

  storeView(user: string, view: Json): SandboxView {
    this.counter += 1;
    const stored: SandboxView = {
      id: `V${String(this.counter).padStart(10, "0")}`,
      user,
      view,
      hash: `${Date.now()}.${this.counter}`,
      errors: {},
    };
    this.views.set(stored.id, stored);
    return stored;
  }

  replaceView(existing: SandboxView, view: Json): void {
    this.counter += 1;
    existing.view = view;
    existing.hash = `${Date.now()}.${this.counter}`;
    existing.errors = {};
    this.changed();
  }

  /** Closes the top modal (or, with `all`, the whole stack) of a user. */
  closeView(user: string, all = false): void {
    const stack = this.modals.get(user) ?? [];
    const closing = all ? stack : stack.slice(-1);
    for (const id of closing) this.views.delete(id);
    this.modals.set(user, all ? [] : stack.slice(0, -1));
    this.changed();
  }

  topView(user: string): SandboxView | undefined {
    const stack = this.modals.get(user) ?? [];
    const id = stack[stack.length - 1];
    return id ? this.views.get(id) : undefined;
  }

  /** A view as the Web API returns it (and as payloads carry it). */
  viewJson(stored: SandboxView): Json {
    return {
      ...stored.view,
      id: stored.id,
      team_id: this.identity.team.id,
      hash: stored.hash,
      app_id: this.identity.appId,
      bot_id: this.identity.botId,
      root_view_id: stored.user ? (this.modals.get(stored.user) ?? [stored.id])[0] : stored.id,
      previous_view_id: null,
    };
  }

  /** A message as the Web API returns it (and as block_actions payloads carry it). */
  messageJson(message: SandboxMessage): Json {
    return {
      type: "message",
      ts: message.ts,
      thread_ts: message.threadTs,
      text: message.text,
      blocks: message.blocks,
      bot_id: message.user ? undefined : this.identity.botId,
      user: message.user,
      files: message.files,
    };
  }

  private completeUpload(args: Json): Json {
    const list = (typeof args.files === "string" ? JSON.parse(args.files) : args.files) as
      | { id: string; title?: string }[]
      | undefined;
    if (!list?.length) return { ok: false, error: "invalid_arguments" };
    const files = [];
    for (const entry of list) {
      const file = this.files.get(entry.id);
      if (!file || file.bytes.length === 0) return { ok: false, error: "file_not_found" };
      file.title = entry.title ?? file.name;
      files.push({ id: entry.id, name: file.name, title: file.title, bytes: file.bytes.length });
    }
    const channel = args.channel_id ? String(args.channel_id) : undefined;
    if (channel) {
      this.post({
        channel,
        text: String(args.initial_comment ?? ""),
        threadTs: args.thread_ts ? String(args.thread_ts) : undefined,
        files,
      });
    }
    return { ok: true, files: files.map((file) => ({ id: file.id, title: file.title, name: file.name })) };
  }
}

/** A Slack workspace the app can be installed into through OAuth; the simulator knows several. */
export interface SlackTeam {
  id: string;
  name: string;
  domain: string;
  /** The Enterprise Grid organisation the team belongs to; none for a standalone workspace. */
  enterpriseId?: string;
  /** The app's bot user and bot in this team, as oauth.v2.access and auth.test name them. */
  botUserId: string;
  botId: string;
}

/** The app's credentials and OAuth settings, as Slack's app configuration holds them. */
export interface SlackOAuthApp {
  clientId: string;
  clientSecret: string;
  /** Token rotation on: installs and refreshes give expiring access tokens with a refresh token. */
  tokenRotation: boolean;
  /** Lifetime of a rotating access token, in seconds (Slack's: 43,200, twelve hours). */
  expiresIn: number;
  /** The app's Redirect URL: an authorize request's redirect_uri must start with it; used when none is given. */
  redirectUri?: string;
}

/** A bot token Slack issued through oauth.v2.access (an install or a refresh). */
export interface IssuedToken {
  token: string;
  team: SlackTeam;
  scopes: string[];
  /** Epoch milliseconds; none for a token that does not expire (rotation off). */
  expiresAt?: number;
  revoked: boolean;
}

interface RefreshGrant {
  team: SlackTeam;
  scopes: string[];
  revoked: boolean;
}

interface AuthorizationCode {
  team: SlackTeam;
  installer: string;
  scopes: string[];
  redirectUri?: string;
  expiresAt: number;
}

/** Slack's authorization codes live ten minutes and work once. */
const CODE_TTL_MS = 10 * 60_000;

const random = (bytes: number) => randomBytes(bytes).toString("hex");

/**
 * Slack's side of OAuth v2 for one app: the authorize page (the installer picks a team), the code
 * exchange and token rotation through oauth.v2.access (client_id/client_secret checked, as form
 * fields or HTTP Basic), and the tokens issued, so the Web API can answer per token.
 */
export class SlackOAuth {
  /** Unset until `configure`: oauth.v2.access then answers invalid_client_id, as for an unknown app. */
  app?: SlackOAuthApp;
  readonly teams = new Map<string, SlackTeam>();
  /** Every access token issued, by token. */
  readonly tokens = new Map<string, IssuedToken>();
  readonly refreshTokens = new Map<string, RefreshGrant>();
  private readonly codes = new Map<string, AuthorizationCode>();
  private readonly now: () => number;

  constructor(
    private readonly options: {
      appId: string;
      /** The team installs go to when the authorize request names none. */
      defaultTeam: SlackTeam;
      /** An authorize request may name a team the simulator was not told about: it is made up. */
      openWorld: boolean;
      now?: () => number;
    },
  ) {
    this.now = options.now ?? Date.now;
    this.teams.set(options.defaultTeam.id, options.defaultTeam);
  }

  configure(app: Partial<SlackOAuthApp> & Pick<SlackOAuthApp, "clientId" | "clientSecret">): SlackOAuthApp {
    this.app = { tokenRotation: false, expiresIn: 43_200, ...this.app, ...app };
    return this.app;
  }

  addTeam(team: Partial<SlackTeam> & { id: string }): SlackTeam {
    const tail = team.id.slice(1);
    const full: SlackTeam = {
      name: `Team ${team.id}`,
      domain: team.id.toLowerCase(),
      botUserId: `U0BOT${tail}`,
      botId: `B0BOT${tail}`,
      ...team,
    };
    this.teams.set(full.id, full);
    return full;
  }

  /** The tokens issued for a team, oldest first. */
  tokensOf(teamId: string): IssuedToken[] {
    return [...this.tokens.values()].filter((issued) => issued.team.id === teamId);
  }

  /** The app was uninstalled (or its tokens revoked) in a team: every token of that team stops working. */
  revokeTeam(teamId: string): number {
    let revoked = 0;
    for (const issued of this.tokensOf(teamId)) {
      if (!issued.revoked) revoked += 1;
      issued.revoked = true;
    }
    for (const grant of this.refreshTokens.values()) if (grant.team.id === teamId) grant.revoked = true;
    return revoked;
  }

  /** What Slack says about a token: the issued token, an error for a revoked or expired one, or nothing for a token OAuth did not issue. */
  check(token: string): { issued: IssuedToken } | { error: string } | undefined {
    const issued = this.tokens.get(token);
    if (!issued) return undefined;
    if (issued.revoked) return { error: "token_revoked" };
    if (issued.expiresAt !== undefined && issued.expiresAt <= this.now()) return { error: "token_expired" };
    return { issued };
  }

  /**
   * GET /oauth/v2/authorize: the installer approves the app for a team (the `team` parameter, as
   * Slack's authorize URL takes it; a sandbox-only `user` names the installer), and is sent back to
   * the redirect URI with a code and the state. `decision=deny` is the Cancel button.
   */
  authorize(query: URLSearchParams): { redirect: string } | { status: number; error: string } {
    const app = this.app;
    if (!app || query.get("client_id") !== app.clientId) return { status: 400, error: "invalid_client_id" };
    const given = query.get("redirect_uri") ?? undefined;
    if (given && !/^https?:\/\//.test(given)) return { status: 400, error: "bad_redirect_uri" };
    if (given && app.redirectUri && !given.startsWith(app.redirectUri))
      return { status: 400, error: "bad_redirect_uri" };
    const redirectTo = given ?? app.redirectUri;
    if (!redirectTo) return { status: 400, error: "no_redirect_uri" };
    const state = query.get("state");
    const back = new URL(redirectTo);
    if (query.get("decision") === "deny") {
      back.searchParams.set("error", "access_denied");
      if (state !== null) back.searchParams.set("state", state);
      return { redirect: back.toString() };
    }
    const teamId = query.get("team") ?? this.options.defaultTeam.id;
    const team =
      this.teams.get(teamId) ??
      (this.options.openWorld && /^T[A-Z0-9]+$/.test(teamId) ? this.addTeam({ id: teamId }) : undefined);
    if (!team) return { status: 400, error: "team_not_found" };
    const code = `${Math.floor(this.now() / 1000)}.${random(6)}.${random(24)}`;
    this.codes.set(code, {
      team,
      installer: query.get("user") ?? "U0INSTALLER",
      scopes: (query.get("scope") ?? "").split(",").filter(Boolean),
      redirectUri: given,
      expiresAt: this.now() + CODE_TTL_MS,
    });
    back.searchParams.set("code", code);
    if (state !== null) back.searchParams.set("state", state);
    return { redirect: back.toString() };
  }

  /** oauth.v2.access: a code for the first tokens, or (grant_type=refresh_token) a refresh token for new ones. */
  access(args: Json): Json {
    const app = this.app;
    if (!app || args.client_id !== app.clientId) return { ok: false, error: "invalid_client_id" };
    if (args.client_secret !== app.clientSecret) return { ok: false, error: "bad_client_secret" };
    const grantType = args.grant_type === undefined ? "authorization_code" : String(args.grant_type);
    if (grantType === "refresh_token") {
      const old = String(args.refresh_token ?? "");
      const grant = this.refreshTokens.get(old);
      if (!grant || grant.revoked) return { ok: false, error: "invalid_refresh_token" };
      // A refresh token works once: the next refresh needs the one this answer carries.
      grant.revoked = true;
      return {
        ok: true,
        app_id: this.options.appId,
        scope: grant.scopes.join(","),
        token_type: "bot",
        ...this.issue(grant.team, grant.scopes, true),
        bot_user_id: grant.team.botUserId,
        team: { id: grant.team.id, name: grant.team.name },
        enterprise: grant.team.enterpriseId ? { id: grant.team.enterpriseId, name: grant.team.enterpriseId } : null,
        is_enterprise_install: false,
      };
    }
    if (grantType !== "authorization_code") return { ok: false, error: "invalid_grant_type" };
    const code = String(args.code ?? "");
    const granted = this.codes.get(code);
    this.codes.delete(code);
    if (!granted || granted.expiresAt <= this.now()) return { ok: false, error: "invalid_code" };
    if (granted.redirectUri && args.redirect_uri !== granted.redirectUri)
      return { ok: false, error: "bad_redirect_uri" };
    const { team, scopes } = granted;
    return {
      ok: true,
      app_id: this.options.appId,
      authed_user: { id: granted.installer },
      scope: scopes.join(","),
      token_type: "bot",
      ...this.issue(team, scopes, app.tokenRotation),
      bot_user_id: team.botUserId,
      team: { id: team.id, name: team.name },
      enterprise: team.enterpriseId ? { id: team.enterpriseId, name: team.enterpriseId } : null,
      is_enterprise_install: false,
    };
  }

  private issue(
    team: SlackTeam,
    scopes: string[],
    rotating: boolean,
  ): { access_token: string; refresh_token?: string; expires_in?: number } {
    if (!rotating) {
      const token = `xoxb-${team.id.slice(1)}-${random(6)}-${random(12)}`;
      this.tokens.set(token, { token, team, scopes, revoked: false });
      return { access_token: token };
    }
    const expiresIn = this.app?.expiresIn ?? 43_200;
    const token = `xoxe.xoxb-1-${random(16)}`;
    const refreshToken = `xoxe-1-${random(16)}`;
    this.tokens.set(token, { token, team, scopes, revoked: false, expiresAt: this.now() + expiresIn * 1000 });
    this.refreshTokens.set(refreshToken, { team, scopes, revoked: false });
    return { access_token: token, refresh_token: refreshToken, expires_in: expiresIn };
  }
}
