import type { Logger } from "../../src/lib/log.js";
import { parseMaybeJson } from "../lib/http.js";
import { ackRefusal } from "./block-kit/index.js";
import { slackSignature } from "./signing.js";
import type { SlackUser, Workspace } from "./workspace.js";

type Json = Record<string, unknown>;

/** A console request refused, with the HTTP status and the sentence the page shows. */
export class ConsoleError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ConsoleActions {
  /** A line typed in the composer: a slash command is sent to Leadline, anything else is posted. */
  command(userId: unknown, input: string): Promise<void>;
  /** A click on a button or menu in a message or a modal. */
  action(body: Json): Promise<void>;
  /** A modal's submit button. */
  submit(body: Json): Promise<void>;
  /** The person opened the app's Home tab: Slack sends app_home_opened. */
  home(userId: unknown): Promise<void>;
  /** The person picked a file in a file_input: Slack stores it and the view's state carries its file object. */
  upload(body: Json): Json;
  userFor(id: unknown): SlackUser;
}

/** The largest file the console takes from a file_input: Slack's own limit for the element. */
export const FILE_INPUT_LIMIT = 10 * 1024 * 1024;

/**
 * What a person does on the console page, sent to Leadline the way Slack sends it: a slash command,
 * a block_actions click, a view_submission, each signed with the signing secret; and what Slack
 * does with Leadline's answer (an ack body shown, a modal updated, pushed, closed or given errors).
 */
export function createConsoleActions(
  options: {
    signingSecret: string;
    appUrl: () => string;
    channel: string;
    /** Commands whose manifest entry says should_escape: true (Slack turns their @name into <@U…|name>). */
    escapedCommands?: readonly string[];
  },
  workspace: Workspace,
  log: Logger,
  /** Told of an answer Slack refuses (an ack message or a response_action view past Block Kit's limits). */
  refused: (what: string, answer: Json) => void = () => {},
): ConsoleActions {
  const { identity } = workspace;

  const userFor = (id: unknown): SlackUser => {
    const user = workspace.users.get(String(id ?? ""));
    if (!user) throw new ConsoleError(400, "Pick a user from the list.");
    return user;
  };
  const payloadUser = (user: SlackUser) => ({
    id: user.id,
    username: user.name,
    name: user.name,
    team_id: identity.team.id,
  });

  /** Sends a request into Leadline the way Slack does, signed; returns its status and body. */
  async function deliver(
    body: string,
    type = "application/x-www-form-urlencoded",
  ): Promise<{ status: number; text: string }> {
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const res = await fetch(`${options.appUrl()}/slack/events`, {
        method: "POST",
        headers: {
          "content-type": type,
          "x-slack-request-timestamp": String(timestamp),
          "x-slack-signature": slackSignature(options.signingSecret, timestamp, body),
        },
        body,
        // Slack gives up on an app after 3 s.
        signal: AbortSignal.timeout(3_000),
      });
      return { status: res.status, text: await res.text() };
    } catch (error) {
      log.warn({ err: error }, "Leadline did not answer within 3 seconds");
      return { status: 0, text: "" };
    }
  }

  const slackbot = (user: string, text: string) =>
    workspace.post({ channel: options.channel, text, visibleTo: user, user: "USLACKBOT" });

  /**
   * `@name` typed in the composer, as Slack turns it into a mention: `<@U…>` in a message, and in a
   * command whose manifest says should_escape, `<@U…|name>`; other commands get the text as typed.
   */
  const mentions = (text: string, form: "message" | "escaped") =>
    text.replace(/(^|[\s(])@([a-z0-9._-]+)/gi, (whole, before: string, name: string) => {
      const user = [...workspace.users.values()].find((u) => u.name.toLowerCase() === name.toLowerCase());
      if (!user) return whole;
      return `${before}<@${user.id}${form === "escaped" ? `|${user.name}` : ""}>`;
    });

  async function command(userId: unknown, input: string): Promise<void> {
    const user = userFor(userId);
    const typed = input.trim();
    if (!typed.startsWith("/")) {
      if (typed) workspace.say(user.id, options.channel, mentions(typed, "message"));
      return;
    }
    const name = typed.split(/\s+/)[0] ?? "";
    const text = options.escapedCommands?.includes(name) ? mentions(typed, "escaped") : typed;
    const form = new URLSearchParams({
      token: "sandbox-verification-token",
      team_id: identity.team.id,
      team_domain: identity.team.domain,
      channel_id: options.channel,
      channel_name: workspace.channels.get(options.channel)?.name ?? "leads",
      user_id: user.id,
      user_name: user.name,
      command: name,
      text: text.slice(name.length).trim(),
      api_app_id: identity.appId,
      is_enterprise_install: "false",
      response_url: workspace.issueResponseUrl({ channel: options.channel, user: user.id }),
      trigger_id: workspace.issueTrigger(user.id),
    });
    const result = await deliver(form.toString());
    if (result.status === 404 || (result.status >= 400 && result.status !== 401)) {
      slackbot(user.id, `${name} failed with the error "dispatch_failed" (Leadline answered ${result.status}).`);
    } else if (result.status === 0) {
      slackbot(user.id, `${name} failed with the error "operation_timeout".`);
    } else if (result.status === 401) {
      slackbot(user.id, `${name} failed: Leadline refused the request signature.`);
    } else if (result.text.trim()) {
      // An ack with a body is shown to the user who typed the command, as Slack does.
      const body = parseMaybeJson(result.text);
      const reply = typeof body === "object" ? (body as Json) : { text: result.text };
      const refusal = ackRefusal("command", reply);
      if (refusal) {
        refused(name, refusal);
        slackbot(user.id, `${name} failed with the error "${String(refusal.error)}".`);
        return;
      }
      workspace.post({
        channel: options.channel,
        text: String(reply.text ?? ""),
        blocks: reply.blocks as Json[] | undefined,
        visibleTo: reply.response_type === "in_channel" ? undefined : user.id,
      });
      if (reply.response_type === "in_channel") workspace.say(user.id, options.channel, text);
    }
  }

  async function home(userId: unknown): Promise<void> {
    const user = userFor(userId);
    const event = {
      token: "sandbox-verification-token",
      team_id: identity.team.id,
      api_app_id: identity.appId,
      type: "event_callback",
      event_id: `Ev${workspace.nextId()}${Date.now()}`,
      event_time: Math.floor(Date.now() / 1000),
      event: {
        type: "app_home_opened",
        user: user.id,
        channel: `D${user.id.slice(1)}`,
        tab: "home",
        event_ts: `${Date.now() / 1000}`,
        ...(workspace.homes.get(user.id) ? { view: workspace.viewJson(workspace.homes.get(user.id)!) } : {}),
      },
      authorizations: [{ team_id: identity.team.id, user_id: identity.botUserId, is_bot: true }],
    };
    const result = await deliver(JSON.stringify(event), "application/json");
    if (result.status !== 200) slackbot(user.id, `Leadline did not draw the Home tab (status ${result.status}).`);
  }

  function upload(body: Json): Json {
    const user = userFor(body.user);
    const name = String(body.name ?? "").slice(0, 255);
    const bytes = Buffer.from(String(body.data ?? ""), "base64");
    if (!name) throw new ConsoleError(400, "The file has no name.");
    if (bytes.length > FILE_INPUT_LIMIT) throw new ConsoleError(400, "Slack takes files up to 10 MB here.");
    const id = workspace.userUpload(user.id, name, bytes, String(body.type ?? "") || "application/octet-stream");
    return workspace.fileJson(id)!;
  }

  async function action(body: Json): Promise<void> {
    const user = userFor(body.user);
    const element = body.action as Json;
    const actionJson = { ...element, action_ts: `${Date.now() / 1000}` };
    let payload: Json;
    if (body.homeViewId) {
      const stored = workspace.homes.get(user.id);
      if (!stored || stored.id !== body.homeViewId) throw new ConsoleError(410, "That Home tab is out of date.");
      payload = {
        type: "block_actions",
        container: { type: "view", view_id: stored.id },
        view: { ...workspace.viewJson(stored), type: "home", state: { values: body.state ?? {} } },
      };
    } else if (body.viewId) {
      const stored = workspace.views.get(String(body.viewId));
      if (!stored) throw new ConsoleError(410, "That modal is closed.");
      payload = {
        type: "block_actions",
        container: { type: "view", view_id: stored.id },
        view: { ...workspace.viewJson(stored), state: { values: body.state ?? {} } },
      };
    } else {
      const message = workspace.find(String(body.channel), String(body.ts));
      if (!message) throw new ConsoleError(410, "That message is gone.");
      payload = {
        type: "block_actions",
        container: {
          type: "message",
          message_ts: message.ts,
          channel_id: message.channel,
          is_ephemeral: Boolean(message.visibleTo),
          thread_ts: message.threadTs,
        },
        channel: { id: message.channel, name: workspace.channels.get(message.channel)?.name ?? "" },
        ...(message.visibleTo ? {} : { message: workspace.messageJson(message) }),
        response_url: workspace.issueResponseUrl({ channel: message.channel, user: user.id, messageTs: message.ts }),
      };
    }
    const full = {
      ...payload,
      team: { id: identity.team.id, domain: identity.team.domain },
      user: payloadUser(user),
      api_app_id: identity.appId,
      token: "sandbox-verification-token",
      trigger_id: workspace.issueTrigger(user.id),
      actions: [actionJson],
      is_enterprise_install: false,
    };
    const result = await deliver(new URLSearchParams({ payload: JSON.stringify(full) }).toString());
    if (result.status !== 200) slackbot(user.id, `Leadline did not handle that click (status ${result.status}).`);
  }

  async function submit(body: Json): Promise<void> {
    const user = userFor(body.user);
    const stored = workspace.views.get(String(body.viewId));
    if (!stored || stored.user !== user.id) throw new ConsoleError(410, "That modal is closed.");
    const payload = {
      type: "view_submission",
      team: { id: identity.team.id, domain: identity.team.domain },
      user: payloadUser(user),
      api_app_id: identity.appId,
      token: "sandbox-verification-token",
      trigger_id: workspace.issueTrigger(user.id),
      view: { ...workspace.viewJson(stored), state: { values: body.state ?? {} } },
      response_urls: [],
      is_enterprise_install: false,
    };
    const result = await deliver(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
    if (result.status !== 200) {
      stored.errors = { _: "We had some trouble connecting. Try again?" };
      workspace.changed();
      return;
    }
    const answer = (parseMaybeJson(result.text) ?? {}) as Json;
    const refusal = ackRefusal("view_submission", answer);
    if (refusal) {
      refused(`view_submission ${String(answer.response_action)}`, refusal);
      stored.errors = { _: "We had some trouble connecting. Try again?" };
      workspace.changed();
      return;
    }
    switch (answer.response_action) {
      case "errors":
        stored.errors = (answer.errors as Record<string, string>) ?? {};
        workspace.changed();
        return;
      case "update":
        workspace.replaceView(stored, answer.view as Json);
        return;
      case "push": {
        const pushed = workspace.storeView(user.id, answer.view as Json);
        workspace.modals.set(user.id, [...(workspace.modals.get(user.id) ?? []), pushed.id]);
        workspace.changed();
        return;
      }
      case "clear":
        workspace.closeView(user.id, true);
        return;
      default:
        workspace.closeView(user.id);
    }
  }

  return { command, action, submit, home, upload, userFor };
}
