import { blockKitProblems, viewProblems } from "./block-kit-limits.js";

type Json = Record<string, unknown>;

export interface SandboxUser {
  id: string;
  name: string;
  realName: string;
  isAdmin: boolean;
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
  user: string;
  view: Json;
  hash: string;
  errors: Record<string, string>;
}

/** Where a response_url posts to: the channel and user of the command or click that made it. */
interface ResponseTarget {
  channel: string;
  user: string;
  /** The message the click came from, for replace_original / delete_original. */
  messageTs?: string;
}

export const BOT_USER = "U0LEADLINE";
export const TEAM = { id: "T0SANDBOX", domain: "leadline-sandbox", name: "Leadline Sandbox" };

/**
 * The state of the sandbox's Slack workspace and the Web API methods Leadline calls, answering
 * with Slack's shapes and errors (not_in_channel, invalid_blocks, expired_trigger_id, …).
 */
export class Workspace {
  readonly users = new Map<string, SandboxUser>();
  readonly channels = new Map<string, { id: string; name: string }>();
  readonly messages: SandboxMessage[] = [];
  readonly views = new Map<string, SandboxView>();
  /** Each user's modal stack, bottom first. */
  readonly modals = new Map<string, string[]>();
  readonly files = new Map<string, { name: string; title: string; bytes: Buffer; type: string }>();
  private readonly triggers = new Map<string, { user: string; expires: number }>();
  private readonly responseUrls = new Map<string, ResponseTarget>();
  private readonly listeners: (() => void)[] = [];
  private counter = 0;
  version = 0;

  constructor(readonly baseUrl: () => string) {}

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

  /** Slack gives each command or click a trigger id that opens a modal within 3 s, once. */
  issueTrigger(user: string): string {
    this.counter += 1;
    const id = `${Date.now()}.${this.counter}.sandbox${this.counter.toString(16)}`;
    this.triggers.set(id, { user, expires: Date.now() + 3_000 });
    return id;
  }

  issueResponseUrl(target: ResponseTarget): string {
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
    const source = target.messageTs ? this.find(target.channel, target.messageTs) : undefined;
    if (body.delete_original === true && source) {
      this.messages.splice(this.messages.indexOf(source), 1);
      this.changed();
      return { ok: true };
    }
    const problems = blockKitProblems(body.blocks, "message");
    if (problems.length > 0) return { ok: false, error: `invalid_blocks: ${problems.join("; ")}` };
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
          url: `https://${TEAM.domain}.slack.com/`,
          team: TEAM.name,
          user: "leadline",
          team_id: TEAM.id,
          user_id: BOT_USER,
          bot_id: "B0LEADLINE",
        };
      case "chat.postMessage":
        return this.postMessage(args);
      case "chat.postEphemeral": {
        const channel = String(args.channel ?? "");
        const user = String(args.user ?? "");
        if (!this.users.has(user)) return { ok: false, error: "user_not_found" };
        if (!this.channels.has(channel)) return { ok: false, error: "channel_not_found" };
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
        const channel = this.channels.get(String(args.channel));
        if (!channel) return { ok: false, error: "channel_not_found" };
        return { ok: true, channel: { ...channel, is_channel: true, is_member: true } };
      }
      case "users.info": {
        const user = this.users.get(String(args.user));
        if (!user) return { ok: false, error: "user_not_found" };
        return {
          ok: true,
          user: {
            id: user.id,
            team_id: TEAM.id,
            name: user.name,
            real_name: user.realName,
            is_admin: user.isAdmin,
            is_owner: false,
            is_bot: false,
            tz: "America/New_York",
            profile: { real_name: user.realName, display_name: user.name },
          },
        };
      }
      case "views.open":
      case "views.push":
        return this.openView(method, args);
      case "views.update":
        return this.updateView(args);
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
    // A user id as the channel posts into the app's DM with that user.
    if (this.users.has(channel)) channel = `D${channel.slice(1)}`;
    if (!this.channels.has(channel) && !channel.startsWith("D")) return { ok: false, error: "channel_not_found" };
    if (!args.text && !args.blocks) return { ok: false, error: "no_text" };
    const problems = blockKitProblems(args.blocks, "message");
    if (problems.length > 0) return { ok: false, error: "invalid_blocks", errors: problems };
    const threadTs = args.thread_ts ? String(args.thread_ts) : undefined;
    if (threadTs && !this.find(channel, threadTs)) return { ok: false, error: "thread_not_found" };
    const message = this.post({
      channel,
      text: String(args.text ?? ""),
      blocks: args.blocks as Json[] | undefined,
      threadTs,
    });
    return { ok: true, channel, ts: message.ts, message: { text: message.text, ts: message.ts } };
  }

  private openView(method: string, args: Json): Json {
    const trigger = this.triggers.get(String(args.trigger_id ?? ""));
    if (!trigger) return { ok: false, error: "invalid_trigger_id" };
    this.triggers.delete(String(args.trigger_id));
    if (trigger.expires < Date.now()) return { ok: false, error: "expired_trigger_id" };
    const view = args.view as Json;
    const problems = viewProblems(view);
    if (problems.length > 0)
      return { ok: false, error: "invalid_arguments", response_metadata: { messages: problems } };
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

  viewJson(stored: SandboxView): Json {
    return {
      ...stored.view,
      id: stored.id,
      team_id: TEAM.id,
      hash: stored.hash,
      app_id: "A0LEADLINE",
      bot_id: "B0LEADLINE",
      root_view_id: (this.modals.get(stored.user) ?? [stored.id])[0],
      previous_view_id: null,
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
