// What the simulated Slack refuses, and how it says so: a message (chat.postMessage, .postEphemeral,
// .update, a response_url body) is refused with `invalid_blocks`, a view (views.open, .push,
// .update, .publish) with `invalid_arguments`, each with the pointers to what is wrong:
//   {"ok":false,"error":"invalid_blocks","errors":["must be less than 3001 characters [json-pointer:/blocks/0/text/text]"],
//    "response_metadata":{"messages":["[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]"]}}
//   {"ok":false,"error":"invalid_arguments","response_metadata":{"messages":["[ERROR] must be less than 25 characters [json-pointer:/view/title/text]"]}}
// The rules and their sources: sandbox/slack/README.md.
import { checkBlocks } from "./blocks.js";
import { Checker, describe, isObject, type Json, type Problem } from "./checker.js";
import { LIMITS, type Surface } from "./limits.js";

export type { Problem };
export { LIMITS, type Surface };

/** What is wrong with a list of blocks on a surface, as Slack's sentences with their pointers ([] when nothing). */
export function blockKitProblems(blocks: unknown, surface: Surface): string[] {
  if (blocks === undefined) return [];
  const c = new Checker();
  checkBlocks(c, "/blocks", blocks, surface);
  return c.problems.map(describe);
}

/** A message's refusal (`invalid_blocks`, `msg_too_long`, `invalid_blocks_format`), or undefined when Slack takes it. */
export function messageRefusal(message: Json): Json | undefined {
  if (typeof message.text === "string" && message.text.length > LIMITS.messageText)
    return { ok: false, error: "msg_too_long" };
  if (message.blocks === undefined) return undefined;
  // A blocks argument that is not JSON at all (form-encoded text the simulator could not parse).
  if (typeof message.blocks === "string") return { ok: false, error: "invalid_blocks_format" };
  const c = new Checker();
  checkBlocks(c, "/blocks", message.blocks, "message");
  if (c.problems.length === 0) return undefined;
  const errors = c.problems.map(describe);
  return {
    ok: false,
    error: "invalid_blocks",
    errors,
    response_metadata: { messages: errors.map((error) => `[ERROR] ${error}`) },
  };
}

/** What is wrong with a view object (https://docs.slack.dev/reference/views), pointers under /view. */
export function viewProblems(view: unknown, surface: "modal" | "home"): Problem[] {
  const c = new Checker();
  if (!isObject(view)) {
    c.fail("/view", "must provide an object");
    return c.problems;
  }
  c.oneOf("/view/type", view.type, [surface]);
  if (view.type === undefined) c.fail("/view", "missing required field: type");
  const { title, submit, close, privateMetadata, callbackId, externalId } = LIMITS.view;
  if (surface === "modal") {
    if (c.has("/view", view, "title")) c.text("/view/title", view.title, { max: title, plain: true });
    c.optionalText("/view/submit", view.submit, { max: submit, plain: true });
    c.optionalText("/view/close", view.close, { max: close, plain: true });
  }
  c.length("/view/private_metadata", view.private_metadata, privateMetadata);
  c.length("/view/callback_id", view.callback_id, callbackId);
  c.length("/view/external_id", view.external_id, externalId);
  if (c.has("/view", view, "blocks")) checkBlocks(c, "/view/blocks", view.blocks, surface);
  if (surface === "modal" && view.submit === undefined && Array.isArray(view.blocks)) {
    const input = view.blocks.findIndex((block) => isObject(block) && block.type === "input");
    // Slack's own words for it.
    if (input >= 0) c.fail(`/view/blocks/${input}/input`, "must define `submit` to use an `input` block in modals");
  }
  return c.problems;
}

/** A view's refusal (`invalid_arguments` with the pointers), or undefined when Slack takes it. */
export function viewRefusal(view: unknown, surface: "modal" | "home"): Json | undefined {
  const problems = viewProblems(view, surface);
  if (problems.length === 0) return undefined;
  return {
    ok: false,
    error: "invalid_arguments",
    response_metadata: { messages: problems.map((problem) => `[ERROR] ${describe(problem)}`) },
  };
}

/**
 * An app's HTTP answer to Slack, checked as Slack checks it: a slash command's answer is a message
 * (https://docs.slack.dev/interactivity/implementing-slash-commands#responding_to_commands); a view
 * submission's `response_action` "update" or "push" carries a view
 * (https://docs.slack.dev/surfaces/modals#updating_response). Undefined when Slack takes it (or
 * when there is nothing to check: an empty ack, `errors`, `clear`).
 */
export function ackRefusal(kind: "command" | "view_submission", answer: unknown): Json | undefined {
  if (!isObject(answer)) return undefined;
  if (kind === "command") return messageRefusal(answer);
  if (answer.response_action === "update" || answer.response_action === "push")
    return viewRefusal(answer.view, "modal");
  return undefined;
}
