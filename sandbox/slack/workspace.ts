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
  /** profile.email (users.lookupByEmail; Slack shows it only with the users:read.email scope). */
  email?: string;
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

/** A file in the workspace: one the app uploaded (files.getUploadURLExternal), or one a person picked in a file_input. */
export interface SandboxFile {
  name: string;
  title: string;
  bytes: Buffer;
  type: string;
  /** The person who uploaded it; undefined for the app's own uploads. */
  user?: string;
  /** Unix seconds. */
  created?: number;
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
 * The state of a simulated Slack workspace: members, channels, messages, modal stacks, Home tabs,
 * files, and the trigger ids and response_urls it handed out. The Web API methods that read and
 * change it live in `methods/`; what a response_url does with a body in `response-url.ts`.
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
  readonly files = new Map<string, SandboxFile>();
  /** Files deleted with files.delete (a second delete answers file_deleted). */
  readonly deletedFiles = new Set<string>();
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

  /** A number no other id of this workspace used. */
  nextId(): number {
    this.counter += 1;
    return this.counter;
  }

  private nextTs(): string {
    const n = this.nextId();
    const now = Date.now();
    return `${Math.floor(now / 1000)}.${String((now % 1000) * 1000 + (n % 1000)).padStart(6, "0")}`;
  }

  isUser(id: string): boolean {
    return this.users.has(id) || (this.openWorld && /^[UW][A-Z0-9]+$/.test(id));
  }

  channelExists(id: string): boolean {
    return this.channels.has(id) || (this.openWorld && /^[CG][A-Z0-9]+$/.test(id));
  }

  /** Slack gives each command or click a trigger id that opens a modal within 3 s, once. */
  issueTrigger(user: string): string {
    const n = this.nextId();
    const id = `${Date.now()}.${n}.sandbox${n.toString(16)}`;
    this.triggers.set(id, { user, expires: Date.now() + 3_000 });
    return id;
  }

  /** The user a trigger id was issued for; "" for one the workspace did not issue, in an open world. */
  takeTrigger(id: string): { user: string } | { error: string } {
    if (!id) return { error: "invalid_arguments" };
    const trigger = this.triggers.get(id);
    if (!trigger) return this.openWorld ? { user: "" } : { error: "invalid_trigger_id" };
    this.triggers.delete(id);
    if (trigger.expires < Date.now()) return { error: "expired_trigger_id" };
    return { user: trigger.user };
  }

  issueResponseUrl(target: ResponseTarget = {}): string {
    const id = `R${this.nextId()}${Math.random().toString(36).slice(2, 10)}`;
    this.responseUrls.set(id, target);
    return `${this.baseUrl()}/response/${id}`;
  }

  responseTarget(id: string): ResponseTarget | undefined {
    return this.responseUrls.get(id);
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

  remove(message: SandboxMessage): void {
    this.messages.splice(this.messages.indexOf(message), 1);
    this.changed();
  }

  /** Posts a user's own line into the channel, as the composer does for plain text. */
  say(user: string, channel: string, text: string): SandboxMessage {
    return this.post({ channel, user, text });
  }

  /** Stores the bytes POSTed to a file's upload URL; false for a file id never handed out. */
  upload(id: string, bytes: Buffer, type: string): boolean {
    const file = this.files.get(id);
    if (!file) return false;
    file.bytes = bytes;
    file.type = type;
    return true;
  }

  /**
   * A person uploads a file (a file_input in a modal, or the composer): it is stored and its id
   * returned, as Slack stores the file before the view is submitted.
   */
  userUpload(user: string, name: string, bytes: Buffer, type: string): string {
    const id = `F${String(this.nextId()).padStart(9, "0")}`;
    this.files.set(id, { name, title: name, bytes, type, user, created: Math.floor(Date.now() / 1000) });
    return id;
  }

  /**
   * A file object as files.info and view_submission state carry it
   * (https://docs.slack.dev/reference/objects/file-object): url_private and url_private_download
   * answer only with the Authorization header of a token of the workspace.
   */
  fileJson(id: string): Json | undefined {
    const file = this.files.get(id);
    if (!file) return undefined;
    const extension = /\.([A-Za-z0-9]{1,8})$/.exec(file.name)?.[1]?.toLowerCase() ?? "binary";
    const path = `${this.baseUrl()}/files-pri/${this.identity.team.id}-${id}`;
    const created = file.created ?? Math.floor(Date.now() / 1000);
    return {
      id,
      created,
      timestamp: created,
      name: file.name,
      title: file.title,
      mimetype: file.type || "application/octet-stream",
      filetype: extension,
      pretty_type: extension.toUpperCase(),
      user: file.user ?? this.identity.botUserId,
      editable: false,
      size: file.bytes.length,
      mode: "hosted",
      is_external: false,
      is_public: false,
      url_private: `${path}/${encodeURIComponent(file.name)}`,
      url_private_download: `${path}/download/${encodeURIComponent(file.name)}`,
    };
  }

  private newHash(): string {
    return `${Date.now()}.${this.nextId()}`;
  }

  storeView(user: string, view: Json): SandboxView {
    const stored: SandboxView = {
      id: `V${String(this.nextId()).padStart(10, "0")}`,
      user,
      view,
      hash: this.newHash(),
      errors: {},
    };
    this.views.set(stored.id, stored);
    return stored;
  }

  replaceView(existing: SandboxView, view: Json): void {
    existing.view = view;
    existing.hash = this.newHash();
    existing.errors = {};
    this.changed();
  }

  /** A user's Home tab shows `view` from now on. */
  publishHome(user: string, view: Json): SandboxView {
    const existing = this.homes.get(user);
    if (existing) {
      existing.view = view;
      existing.hash = this.newHash();
    } else {
      const id = `V${String(this.nextId()).padStart(10, "0")}`;
      this.homes.set(user, { id, user, view, hash: this.newHash(), errors: {} });
    }
    this.changed();
    return this.homes.get(user)!;
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
}
