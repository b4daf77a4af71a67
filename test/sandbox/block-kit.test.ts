import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { blockKitProblems, messageRefusal, viewProblems, viewRefusal } from "../../sandbox/slack/block-kit/index.js";
import { startSlackSimulator } from "../../sandbox/slack/simulator.js";

// Each rule the simulated Slack enforces: a payload at the limit passes, one past it is refused
// with Slack's sentence and the pointer to the field (sandbox/slack/README.md lists the sources).

type Json = Record<string, unknown>;

const plain = (text: string) => ({ type: "plain_text", text });
const mrkdwn = (text: string) => ({ type: "mrkdwn", text });
const section = (text: string, extra: Json = {}) => ({ type: "section", text: mrkdwn(text), ...extra });
const button = (extra: Json = {}) => ({ type: "button", action_id: "go", text: plain("Go"), ...extra });
const actions = (...elements: Json[]) => ({ type: "actions", elements });
const input = (element: Json, extra: Json = {}) => ({ type: "input", label: plain("Label"), element, ...extra });
const option = (text: string, value = text) => ({ text: plain(text), value });
const options = (n: number) => Array.from({ length: n }, (_, i) => option(`Option ${i}`, `v${i}`));
const times = <T>(n: number, make: (i: number) => T) => Array.from({ length: n }, (_, i) => make(i));
const modal = (blocks: Json[], extra: Json = {}) => ({
  type: "modal",
  title: plain("Title"),
  submit: plain("Save"),
  blocks,
  ...extra,
});

/** A message rule: `ok` passes; `bad` is refused with exactly `problem` among its problems. */
interface Rule {
  rule: string;
  ok: Json[];
  bad: Json[];
  problem: string;
}

const MESSAGE_RULES: Rule[] = [
  {
    rule: "at most 50 blocks in a message",
    ok: times(50, () => ({ type: "divider" })),
    bad: times(51, () => ({ type: "divider" })),
    problem: "no more than 50 items allowed [json-pointer:/blocks]",
  },
  {
    rule: "section text at most 3,000 characters",
    ok: [section("x".repeat(3000))],
    bad: [section("x".repeat(3001))],
    problem: "must be less than 3001 characters [json-pointer:/blocks/0/text/text]",
  },
  {
    rule: "section text not empty",
    ok: [section("x")],
    bad: [section("")],
    problem: "must be more than 0 characters [json-pointer:/blocks/0/text/text]",
  },
  {
    rule: "a section needs text or fields",
    ok: [{ type: "section", fields: [mrkdwn("a")] }],
    bad: [{ type: "section" }],
    problem: "must define either `text` or `fields` [json-pointer:/blocks/0]",
  },
  {
    rule: "at most 10 section fields",
    ok: [{ type: "section", fields: times(10, () => mrkdwn("f")) }],
    bad: [{ type: "section", fields: times(11, () => mrkdwn("f")) }],
    problem: "no more than 10 items allowed [json-pointer:/blocks/0/fields]",
  },
  {
    rule: "a section field at most 2,000 characters",
    ok: [{ type: "section", fields: [mrkdwn("f".repeat(2000))] }],
    bad: [{ type: "section", fields: [mrkdwn("f".repeat(2001))] }],
    problem: "must be less than 2001 characters [json-pointer:/blocks/0/fields/0/text]",
  },
  {
    rule: "header text at most 150 characters",
    ok: [{ type: "header", text: plain("h".repeat(150)) }],
    bad: [{ type: "header", text: plain("h".repeat(151)) }],
    problem: "must be less than 151 characters [json-pointer:/blocks/0/text/text]",
  },
  {
    rule: "header text is plain_text only",
    ok: [{ type: "header", text: plain("Calls") }],
    bad: [{ type: "header", text: mrkdwn("*Calls*") }],
    problem: "must be a valid enum value [json-pointer:/blocks/0/text/type]",
  },
  {
    rule: "at most 10 context elements",
    ok: [{ type: "context", elements: times(10, () => mrkdwn("c")) }],
    bad: [{ type: "context", elements: times(11, () => mrkdwn("c")) }],
    problem: "no more than 10 items allowed [json-pointer:/blocks/0/elements]",
  },
  {
    rule: "a context element's text at most 3,000 characters",
    ok: [{ type: "context", elements: [mrkdwn("c".repeat(3000))] }],
    bad: [{ type: "context", elements: [mrkdwn("c".repeat(3001))] }],
    problem: "must be less than 3001 characters [json-pointer:/blocks/0/elements/0/text]",
  },
  {
    rule: "at most 25 actions elements",
    ok: [actions(...times(25, (i) => button({ action_id: `a${i}` })))],
    bad: [actions(...times(26, (i) => button({ action_id: `a${i}` })))],
    problem: "no more than 25 items allowed [json-pointer:/blocks/0/elements]",
  },
  {
    rule: "action_id unique within a block",
    ok: [actions(button({ action_id: "a" }), button({ action_id: "b" })), actions(button({ action_id: "a" }))],
    bad: [actions(button({ action_id: "a" }), button({ action_id: "a" }))],
    problem: "action_id must be unique within the block (a) [json-pointer:/blocks/0/elements/1/action_id]",
  },
  {
    rule: "action_id at most 255 characters",
    ok: [actions(button({ action_id: "a".repeat(255) }))],
    bad: [actions(button({ action_id: "a".repeat(256) }))],
    problem: "must be less than 256 characters [json-pointer:/blocks/0/elements/0/action_id]",
  },
  {
    rule: "block_id at most 255 characters",
    ok: [{ type: "divider", block_id: "b".repeat(255) }],
    bad: [{ type: "divider", block_id: "b".repeat(256) }],
    problem: "must be less than 256 characters [json-pointer:/blocks/0/block_id]",
  },
  {
    rule: "block_id unique in a message",
    ok: [section("a", { block_id: "one" }), section("b", { block_id: "two" })],
    bad: [section("a", { block_id: "one" }), section("b", { block_id: "one" })],
    problem: "block_id must be unique (one) [json-pointer:/blocks/1/block_id]",
  },
  {
    rule: "button text at most 75 characters",
    ok: [actions(button({ text: plain("b".repeat(75)) }))],
    bad: [actions(button({ text: plain("b".repeat(76)) }))],
    problem: "must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]",
  },
  {
    rule: "button text is plain_text only",
    ok: [actions(button())],
    bad: [actions(button({ text: mrkdwn("*Go*") }))],
    problem: "must be a valid enum value [json-pointer:/blocks/0/elements/0/text/type]",
  },
  {
    rule: "button value at most 2,000 characters",
    ok: [actions(button({ value: "v".repeat(2000) }))],
    bad: [actions(button({ value: "v".repeat(2001) }))],
    problem: "must be less than 2001 characters [json-pointer:/blocks/0/elements/0/value]",
  },
  {
    rule: "button url at most 3,000 characters",
    ok: [actions(button({ url: `https://x.io/${"u".repeat(2987)}` }))],
    bad: [actions(button({ url: `https://x.io/${"u".repeat(2988)}` }))],
    problem: "must be less than 3001 characters [json-pointer:/blocks/0/elements/0/url]",
  },
  {
    rule: "button style primary or danger",
    ok: [actions(button({ style: "danger" }))],
    bad: [actions(button({ style: "warning" }))],
    problem: "must be a valid enum value [json-pointer:/blocks/0/elements/0/style]",
  },
  {
    rule: "overflow: at least 2 options",
    ok: [actions({ type: "overflow", action_id: "o", options: options(2) })],
    bad: [actions({ type: "overflow", action_id: "o", options: options(1) })],
    problem: "must provide at least 2 items [json-pointer:/blocks/0/elements/0/options]",
  },
  {
    rule: "overflow: at most 5 options",
    ok: [actions({ type: "overflow", action_id: "o", options: options(5) })],
    bad: [actions({ type: "overflow", action_id: "o", options: options(6) })],
    problem: "no more than 5 items allowed [json-pointer:/blocks/0/elements/0/options]",
  },
  {
    rule: "static_select: at most 100 options",
    ok: [actions({ type: "static_select", action_id: "s", options: options(100) })],
    bad: [actions({ type: "static_select", action_id: "s", options: options(101) })],
    problem: "no more than 100 items allowed [json-pointer:/blocks/0/elements/0/options]",
  },
  {
    rule: "option text at most 75 characters",
    ok: [actions({ type: "static_select", action_id: "s", options: [option("o".repeat(75), "v")] })],
    bad: [actions({ type: "static_select", action_id: "s", options: [option("o".repeat(76), "v")] })],
    problem: "must be less than 76 characters [json-pointer:/blocks/0/elements/0/options/0/text/text]",
  },
  {
    rule: "option value at most 150 characters",
    ok: [actions({ type: "static_select", action_id: "s", options: [option("o", "v".repeat(150))] })],
    bad: [actions({ type: "static_select", action_id: "s", options: [option("o", "v".repeat(151))] })],
    problem: "must be less than 151 characters [json-pointer:/blocks/0/elements/0/options/0/value]",
  },
  {
    rule: "option text in a select is plain_text only",
    ok: [actions({ type: "static_select", action_id: "s", options: [option("o")] })],
    bad: [actions({ type: "static_select", action_id: "s", options: [{ text: mrkdwn("*o*"), value: "o" }] })],
    problem: "must be a valid enum value [json-pointer:/blocks/0/elements/0/options/0/text/type]",
  },
  {
    rule: "a select's initial_option is one of its options",
    ok: [actions({ type: "static_select", action_id: "s", options: options(2), initial_option: options(2)[1] })],
    bad: [
      actions({ type: "static_select", action_id: "s", options: options(2), initial_option: option("Other", "x") }),
    ],
    problem: "must match one of the options [json-pointer:/blocks/0/elements/0/initial_option]",
  },
  {
    rule: "checkboxes: at most 10 options, mrkdwn text allowed",
    ok: [
      actions({
        type: "checkboxes",
        action_id: "c",
        options: times(10, (i) => ({ text: mrkdwn("*c*"), value: `${i}` })),
      }),
    ],
    bad: [
      actions({
        type: "checkboxes",
        action_id: "c",
        options: times(11, (i) => ({ text: mrkdwn("*c*"), value: `${i}` })),
      }),
    ],
    problem: "no more than 10 items allowed [json-pointer:/blocks/0/elements/0/options]",
  },
  {
    rule: "a select placeholder is plain_text of at most 150 characters",
    ok: [actions({ type: "users_select", action_id: "u", placeholder: plain("p".repeat(150)) })],
    bad: [actions({ type: "users_select", action_id: "u", placeholder: plain("p".repeat(151)) })],
    problem: "must be less than 151 characters [json-pointer:/blocks/0/elements/0/placeholder/text]",
  },
  {
    rule: "a datepicker's initial_date is YYYY-MM-DD",
    ok: [actions({ type: "datepicker", action_id: "d", initial_date: "2026-11-24" })],
    bad: [actions({ type: "datepicker", action_id: "d", initial_date: "11/24/2026" })],
    problem: "must match the format [json-pointer:/blocks/0/elements/0/initial_date]",
  },
  {
    rule: "a confirm dialog's title is plain_text of at most 100 characters",
    ok: [
      actions(
        button({
          confirm: { title: plain("t".repeat(100)), text: mrkdwn("Sure?"), confirm: plain("Yes"), deny: plain("No") },
        }),
      ),
    ],
    bad: [
      actions(
        button({
          confirm: { title: plain("t".repeat(101)), text: mrkdwn("Sure?"), confirm: plain("Yes"), deny: plain("No") },
        }),
      ),
    ],
    problem: "must be less than 101 characters [json-pointer:/blocks/0/elements/0/confirm/title/text]",
  },
  {
    rule: "plain_text_input goes in an input block, not in actions",
    ok: [input({ type: "plain_text_input", action_id: "i" })],
    bad: [actions({ type: "plain_text_input", action_id: "i" })],
    problem: "unsupported type: plain_text_input [json-pointer:/blocks/0/elements/0/type]",
  },
  {
    rule: "a block type Slack knows",
    ok: [{ type: "divider" }],
    bad: [{ type: "table_of_contents" }],
    problem: "unsupported type: table_of_contents [json-pointer:/blocks/0/type]",
  },
  {
    rule: "an image block needs alt_text",
    ok: [{ type: "image", image_url: "https://x.io/a.png", alt_text: "chart" }],
    bad: [{ type: "image", image_url: "https://x.io/a.png" }],
    problem: "missing required field: alt_text [json-pointer:/blocks/0]",
  },
  {
    rule: "a markdown block at most 12,000 characters",
    ok: [{ type: "markdown", text: "m".repeat(12_000) }],
    bad: [{ type: "markdown", text: "m".repeat(12_001) }],
    problem: "must be less than 12001 characters [json-pointer:/blocks/0/text]",
  },
];

/** Input rules, checked in a modal (where inputs live). */
const INPUT_RULES: Rule[] = [
  {
    rule: "plain_text_input max_length from 1 to 3,000",
    ok: [input({ type: "plain_text_input", action_id: "i", max_length: 3000 })],
    bad: [input({ type: "plain_text_input", action_id: "i", max_length: 4000 })],
    problem: "must be an integer from 1 to 3000 [json-pointer:/view/blocks/0/element/max_length]",
  },
  {
    rule: "plain_text_input max_length at least 1",
    ok: [input({ type: "plain_text_input", action_id: "i", max_length: 1 })],
    bad: [input({ type: "plain_text_input", action_id: "i", max_length: 0 })],
    problem: "must be an integer from 1 to 3000 [json-pointer:/view/blocks/0/element/max_length]",
  },
  {
    rule: "plain_text_input min_length not above max_length",
    ok: [input({ type: "plain_text_input", action_id: "i", min_length: 10, max_length: 10 })],
    bad: [input({ type: "plain_text_input", action_id: "i", min_length: 11, max_length: 10 })],
    problem: "must not be more than max_length [json-pointer:/view/blocks/0/element/min_length]",
  },
  {
    rule: "input label is plain_text only",
    ok: [input({ type: "plain_text_input", action_id: "i" })],
    bad: [input({ type: "plain_text_input", action_id: "i" }, { label: mrkdwn("*Name*") })],
    problem: "must be a valid enum value [json-pointer:/view/blocks/0/label/type]",
  },
  {
    rule: "input label at most 2,000 characters",
    ok: [input({ type: "plain_text_input", action_id: "i" }, { label: plain("l".repeat(2000)) })],
    bad: [input({ type: "plain_text_input", action_id: "i" }, { label: plain("l".repeat(2001)) })],
    problem: "must be less than 2001 characters [json-pointer:/view/blocks/0/label/text]",
  },
  {
    rule: "an input's placeholder at most 150 characters",
    ok: [input({ type: "plain_text_input", action_id: "i", placeholder: plain("p".repeat(150)) })],
    bad: [input({ type: "plain_text_input", action_id: "i", placeholder: plain("p".repeat(151)) })],
    problem: "must be less than 151 characters [json-pointer:/view/blocks/0/element/placeholder/text]",
  },
  {
    rule: "at most 100 blocks in a modal",
    ok: times(100, () => ({ type: "divider" })),
    bad: times(101, () => ({ type: "divider" })),
    problem: "no more than 100 items allowed [json-pointer:/view/blocks]",
  },
  {
    rule: "markdown blocks are for messages only",
    ok: [section("text")],
    bad: [{ type: "markdown", text: "**bold**" }],
    problem: "unsupported type: markdown [json-pointer:/view/blocks/0/type]",
  },
];

/** View rules: `ok` and `bad` are whole views. */
const VIEW_RULES: { rule: string; ok: Json; bad: Json; problem: string; surface?: "home" }[] = [
  {
    rule: "title at most 24 characters",
    ok: modal([], { title: plain("t".repeat(24)) }),
    bad: modal([], { title: plain("t".repeat(25)) }),
    problem: "must be less than 25 characters [json-pointer:/view/title/text]",
  },
  {
    rule: "title is plain_text only",
    ok: modal([]),
    bad: modal([], { title: mrkdwn("*Title*") }),
    problem: "must be a valid enum value [json-pointer:/view/title/type]",
  },
  {
    rule: "a modal needs a title",
    ok: modal([]),
    bad: { type: "modal", blocks: [] },
    problem: "missing required field: title [json-pointer:/view]",
  },
  {
    rule: "submit at most 24 characters, plain_text",
    ok: modal([], { submit: plain("s".repeat(24)) }),
    bad: modal([], { submit: plain("s".repeat(25)) }),
    problem: "must be less than 25 characters [json-pointer:/view/submit/text]",
  },
  {
    rule: "close is plain_text only",
    ok: modal([], { close: plain("Cancel") }),
    bad: modal([], { close: mrkdwn("Cancel") }),
    problem: "must be a valid enum value [json-pointer:/view/close/type]",
  },
  {
    rule: "private_metadata at most 3,000 characters",
    ok: modal([], { private_metadata: "m".repeat(3000) }),
    bad: modal([], { private_metadata: "m".repeat(3001) }),
    problem: "must be less than 3001 characters [json-pointer:/view/private_metadata]",
  },
  {
    rule: "callback_id at most 255 characters",
    ok: modal([], { callback_id: "c".repeat(255) }),
    bad: modal([], { callback_id: "c".repeat(256) }),
    problem: "must be less than 256 characters [json-pointer:/view/callback_id]",
  },
  {
    rule: "a modal with an input needs submit",
    ok: modal([input({ type: "plain_text_input", action_id: "i" })]),
    bad: { type: "modal", title: plain("T"), blocks: [input({ type: "plain_text_input", action_id: "i" })] },
    problem: "must define `submit` to use an `input` block in modals [json-pointer:/view/blocks/0/input]",
  },
  {
    rule: "a Home tab at most 100 blocks",
    ok: { type: "home", blocks: times(100, () => ({ type: "divider" })) },
    bad: { type: "home", blocks: times(101, () => ({ type: "divider" })) },
    problem: "no more than 100 items allowed [json-pointer:/view/blocks]",
    surface: "home",
  },
  {
    rule: "views.publish takes a home view",
    ok: { type: "home", blocks: [] },
    bad: { type: "modal", title: plain("T"), blocks: [] },
    problem: "must be a valid enum value [json-pointer:/view/type]",
    surface: "home",
  },
];

const described = (view: Json, surface: "modal" | "home" = "modal") =>
  viewProblems(view, surface).map((p) => `${p.message} [json-pointer:${p.pointer}]`);

describe("the simulated Slack's Block Kit rules: one at the limit passes, one past it is refused", () => {
  it.each(MESSAGE_RULES)("message: $rule", ({ ok, bad, problem }) => {
    expect(blockKitProblems(ok, "message")).toEqual([]);
    expect(blockKitProblems(bad, "message")).toContain(problem);
  });

  it.each(INPUT_RULES)("modal: $rule", ({ ok, bad, problem }) => {
    expect(described(modal(ok))).toEqual([]);
    expect(described(modal(bad))).toContain(problem);
  });

  it.each(VIEW_RULES)("view: $rule", ({ ok, bad, problem, surface }) => {
    expect(described(ok, surface)).toEqual([]);
    expect(described(bad, surface)).toContain(problem);
  });
});

describe("the simulated Slack answers as Slack does", () => {
  it("a message: invalid_blocks with the pointers in errors and in response_metadata.messages", () => {
    expect(messageRefusal({ text: "hi", blocks: [section("ok")] })).toBeUndefined();
    expect(messageRefusal({ text: "hi", blocks: [section("x".repeat(3001))] })).toEqual({
      ok: false,
      error: "invalid_blocks",
      errors: ["must be less than 3001 characters [json-pointer:/blocks/0/text/text]"],
      response_metadata: { messages: ["[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]"] },
    });
  });

  it("a message's text over 40,000 characters is msg_too_long", () => {
    expect(messageRefusal({ text: "t".repeat(40_000) })).toBeUndefined();
    expect(messageRefusal({ text: "t".repeat(40_001) })).toEqual({ ok: false, error: "msg_too_long" });
  });

  it("a view: invalid_arguments with [ERROR] pointers in response_metadata.messages", () => {
    expect(viewRefusal(modal([]), "modal")).toBeUndefined();
    expect(viewRefusal(modal([], { title: plain("t".repeat(25)) }), "modal")).toEqual({
      ok: false,
      error: "invalid_arguments",
      response_metadata: { messages: ["[ERROR] must be less than 25 characters [json-pointer:/view/title/text]"] },
    });
  });

  it("counts UTF-16 units, the strictest count: 75 emoji do not fit a 75-character button", () => {
    expect(blockKitProblems([actions(button({ text: plain("😀".repeat(37)) }))], "message")).toEqual([]);
    expect(blockKitProblems([actions(button({ text: plain("😀".repeat(38)) }))], "message")).toEqual([
      "must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]",
    ]);
  });
});

describe("every surface is checked: chat.*, response_url, views.*", () => {
  const bad = [section("x".repeat(3001))];
  const badView = modal([], { title: plain("t".repeat(25)) });

  it("refuses a bad message or view on each method, and stores nothing", async () => {
    const slack = await startSlackSimulator({ workspace: { openWorld: true } });
    const call = async (method: string, args: Json) => {
      const res = await fetch(`${slack.apiUrl}${method}`, {
        method: "POST",
        headers: { authorization: "Bearer xoxb-test", "content-type": "application/json" },
        body: JSON.stringify(args),
      });
      return (await res.json()) as Json;
    };
    try {
      slack.workspace.botChannels.add("C0LEADS001");
      const posted = await call("chat.postMessage", { channel: "C0LEADS001", text: "ok" });
      const before = slack.workspace.messages.length;
      for (const [method, args] of [
        ["chat.postMessage", { channel: "C0LEADS001", text: "t", blocks: bad }],
        ["chat.postEphemeral", { channel: "C0LEADS001", user: "U0AGENT01", text: "t", blocks: bad }],
        ["chat.update", { channel: "C0LEADS001", ts: posted.ts, text: "t", blocks: bad }],
      ] as const) {
        expect(await call(method, args), method).toMatchObject({ ok: false, error: "invalid_blocks" });
      }
      expect(slack.workspace.messages.length).toBe(before);
      expect(slack.workspace.find("C0LEADS001", String(posted.ts))?.text).toBe("ok");

      const response = await fetch(slack.workspace.issueResponseUrl({ channel: "C0LEADS001", user: "U0AGENT01" }), {
        method: "POST",
        body: JSON.stringify({ text: "t", blocks: bad }),
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ ok: false, error: "invalid_blocks" });
      expect(slack.workspace.messages.length).toBe(before);

      const opened = await call("views.open", { trigger_id: "1.2.trigger", view: modal([]) });
      const id = (opened.view as { id: string }).id;
      for (const [method, args] of [
        ["views.open", { trigger_id: "1.3.trigger", view: badView }],
        ["views.push", { trigger_id: "1.4.trigger", view: badView }],
        ["views.update", { view_id: id, view: badView }],
        ["views.publish", { user_id: "U0AGENT01", view: { type: "home", blocks: bad } }],
      ] as const) {
        expect(await call(method, args), method).toMatchObject({
          ok: false,
          error: "invalid_arguments",
          response_metadata: { messages: [expect.stringMatching(/^\[ERROR\] must be less than/)] },
        });
      }
      expect(slack.workspace.views.size).toBe(1);
      expect(slack.workspace.homes.size).toBe(0);
      // Each refusal is kept, so a test can insist there was none.
      expect(slack.refusals.map((r) => [r.method.replace(/^\/response\/.*/, "response_url"), r.error])).toEqual([
        ["chat.postMessage", "invalid_blocks"],
        ["chat.postEphemeral", "invalid_blocks"],
        ["chat.update", "invalid_blocks"],
        ["response_url", "invalid_blocks"],
        ["views.open", "invalid_arguments"],
        ["views.push", "invalid_arguments"],
        ["views.update", "invalid_arguments"],
        ["views.publish", "invalid_arguments"],
      ]);
    } finally {
      await slack.close();
    }
  });
});

describe("an app's own answers, in the console", () => {
  it("a slash command answered with 51 blocks fails as Slack shows it, and the refusal is kept", async () => {
    const app = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ text: "many", blocks: times(51, () => ({ type: "divider" })) }));
    });
    await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
    const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    const slack = await startSlackSimulator({
      console: { signingSecret: "s", appUrl: () => appUrl, channel: "C0LEADS001", info: () => ({}) },
    });
    try {
      slack.workspace.users.set("U0MARIA01", { id: "U0MARIA01", name: "maria" });
      slack.workspace.channels.set("C0LEADS001", { id: "C0LEADS001", name: "leads" });
      const res = await fetch(`${slack.url}/sandbox/command`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-sandbox-token": slack.consoleToken! },
        body: JSON.stringify({ user: "U0MARIA01", text: "/call-lead smith" }),
      });
      expect(res.status).toBe(200);
      expect(slack.workspace.messages.map((m) => m.text)).toEqual([
        '/call-lead failed with the error "invalid_blocks".',
      ]);
      expect(slack.refusals).toEqual([
        {
          method: "/call-lead",
          error: "invalid_blocks",
          messages: ["[ERROR] no more than 50 items allowed [json-pointer:/blocks]"],
          at: expect.any(Number),
        },
      ]);
    } finally {
      await slack.close();
      await new Promise((resolve) => app.close(resolve));
    }
  });
});
