import { INPUT_ACTION } from "../../src/lib/ids.js";
import { TEAM_ID } from "./app.js";

type Json = Record<string, unknown>;

/** A view_submission payload as Slack sends it, for a view the fake Slack opened. */
export function viewSubmission(view: Json, userId: string, values: Record<string, string | undefined>): Json {
  const state: Record<string, Record<string, Json>> = {};
  for (const block of (view.blocks as Json[]) ?? []) {
    if (block.type !== "input") continue;
    const id = String(block.block_id);
    const element = block.element as Json;
    const value = id in values ? values[id] : undefined;
    if (element.type === "static_select" || element.type === "radio_buttons") {
      state[id] = {
        [INPUT_ACTION]: {
          type: element.type,
          selected_option: value ? { value, text: { type: "plain_text", text: value } } : null,
        },
      };
    } else if (element.type === "checkboxes") {
      state[id] = {
        [INPUT_ACTION]: {
          type: "checkboxes",
          selected_options: value ? value.split(",").map((v) => ({ value: v })) : [],
        },
      };
    } else {
      state[id] = { [INPUT_ACTION]: { type: element.type, value: value ?? null } };
    }
  }
  return {
    type: "view_submission",
    team: { id: TEAM_ID, domain: "leadline-test" },
    user: { id: userId, username: userId.toLowerCase(), name: userId.toLowerCase(), team_id: TEAM_ID },
    api_app_id: "A0LEADLINE",
    token: "legacy",
    trigger_id: `${Date.now()}.1.trigger`,
    view: { ...view, team_id: TEAM_ID, state: { values: state }, app_id: "A0LEADLINE", bot_id: "B0BOT" },
    response_urls: [],
    is_enterprise_install: false,
  };
}

let clicks = 0;
/** Slack's action_ts: the click's own time in microseconds, different for every click. */
const actionTs = () => {
  clicks += 1;
  return `${Math.floor(Date.now() / 1000)}.${String((Date.now() % 1000) * 1000 + (clicks % 1000)).padStart(6, "0")}`;
};

/** A block_actions payload for a button click in a message (or an ephemeral message). */
export function buttonClick(opts: {
  userId: string;
  actionId: string;
  value: string;
  channel: string;
  messageTs?: string;
  threadTs?: string;
  responseUrl: string;
  ephemeral?: boolean;
}): Json {
  return {
    type: "block_actions",
    team: { id: TEAM_ID, domain: "leadline-test" },
    user: { id: opts.userId, username: opts.userId.toLowerCase(), name: opts.userId.toLowerCase(), team_id: TEAM_ID },
    api_app_id: "A0LEADLINE",
    token: "legacy",
    trigger_id: `${Date.now()}.${Math.floor(Math.random() * 1e6)}.trigger`,
    container: opts.ephemeral
      ? { type: "message", message_ts: opts.messageTs ?? "1.1", channel_id: opts.channel, is_ephemeral: true }
      : {
          type: "message",
          message_ts: opts.messageTs,
          channel_id: opts.channel,
          is_ephemeral: false,
          thread_ts: opts.threadTs,
        },
    channel: { id: opts.channel, name: "leads" },
    message: opts.ephemeral
      ? undefined
      : { type: "message", ts: opts.messageTs, thread_ts: opts.threadTs, text: "lead card" },
    response_url: opts.responseUrl,
    actions: [{ type: "button", action_id: opts.actionId, block_id: "b", value: opts.value, action_ts: actionTs() }],
    is_enterprise_install: false,
  };
}

/** An option picked in a message's static_select (or overflow) menu: Slack sends the option, not a value. */
export function menuPick(opts: Parameters<typeof buttonClick>[0] & { type?: "static_select" | "overflow" }): Json {
  const click = buttonClick(opts) as { actions: Record<string, unknown>[] };
  click.actions = [
    {
      type: opts.type ?? "static_select",
      action_id: opts.actionId,
      block_id: "b",
      selected_option: { text: { type: "plain_text", text: opts.value }, value: opts.value },
      action_ts: String(Date.now() / 1000),
    },
  ];
  return click as Json;
}
