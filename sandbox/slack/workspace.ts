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

  /** The Web API: one method call with its arguments, answered as Slack answers. */
  call(method: string, args: Json): Json {
    switch (method) {
      case "auth.test":
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
        if (!user) return { ok: false, error: "user_not_found" };
        const realName = user.real_name ?? user.name;
        return {
          ok: true,
          user: {
            id: user.id,
            team_id: this.identity.team.id,
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
