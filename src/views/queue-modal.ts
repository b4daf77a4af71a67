import type { CallQueue } from "@prisma/client";
import type { KnownBlock, ModalView, PlainTextOption } from "@slack/types";
import { INPUT_ACTION, ids, queueFields } from "../lib/ids.js";
import { OUTCOMES } from "../services/calls/outcomes.js";
import { parseStoredFilter, type QueueOrder } from "../services/queues/queue-filter.js";
import { plain, truncate } from "./common.js";

const ORDER_WORDS: Record<QueueOrder, string> = {
  callbacks: "Callbacks due first",
  new: "New leads first (by arrival)",
  fewest: "Fewest attempts first",
  oldest: "Oldest last call first",
};
const FLAG_WORDS = { neverCalled: "Never called", callbackDue: "Callback due" } as const;
const DEFAULT_REMOVES = ["do_not_call", "wrong_number", "appointment", "not_interested"];

const option = (value: string, text: string): PlainTextOption => ({ text: plain(text), value });

function textInput(
  block: string,
  label: string,
  opts: { initial?: string | null; optional?: boolean; max?: number; placeholder?: string; hint?: string },
): KnownBlock {
  return {
    type: "input",
    block_id: block,
    optional: opts.optional ?? true,
    label: plain(label),
    ...(opts.hint ? { hint: plain(opts.hint) } : {}),
    element: {
      type: "plain_text_input",
      action_id: INPUT_ACTION,
      ...(opts.max ? { max_length: opts.max } : {}),
      ...(opts.initial ? { initial_value: truncate(opts.initial, opts.max ?? 3000) } : {}),
      ...(opts.placeholder ? { placeholder: plain(opts.placeholder) } : {}),
    },
  };
}

function numberInput(
  block: string,
  label: string,
  opts: { initial?: number | null; optional?: boolean; min: number; max: number; hint: string },
): KnownBlock {
  return {
    type: "input",
    block_id: block,
    optional: opts.optional ?? false,
    label: plain(label),
    hint: plain(opts.hint),
    element: {
      type: "number_input",
      action_id: INPUT_ACTION,
      is_decimal_allowed: false,
      min_value: String(opts.min),
      max_value: String(opts.max),
      ...(opts.initial !== null && opts.initial !== undefined ? { initial_value: String(opts.initial) } : {}),
    },
  };
}

/** Which leads the queue takes: any of these left empty takes every lead. */
function filterBlocks(queue: CallQueue | undefined): KnownBlock[] {
  const filter = queue ? parseStoredFilter(queue.filter) : {};
  const outcomeOptions = Object.entries(OUTCOMES).map(([value, text]) => option(value, text));
  const flagOptions = Object.entries(FLAG_WORDS).map(([value, text]) => option(value, text));
  const flags = flagOptions.filter((o) => filter[(o.value ?? "") as keyof typeof FLAG_WORDS]);
  return [
    textInput(queueFields.source, "Leads from source", { initial: filter.source, max: 80, placeholder: "Zillow" }),
    textInput(queueFields.state, "Leads in state", {
      initial: filter.state,
      max: 2,
      placeholder: "FL",
      hint: "A two-letter code; empty for every state.",
    }),
    {
      type: "input",
      block_id: queueFields.owner,
      optional: true,
      label: plain("Leads owned by"),
      element: {
        type: "users_select",
        action_id: INPUT_ACTION,
        ...(filter.owner ? { initial_user: filter.owner } : {}),
      },
    },
    {
      type: "input",
      block_id: queueFields.lastOutcome,
      optional: true,
      label: plain("Leads whose last outcome was"),
      element: {
        type: "static_select",
        action_id: INPUT_ACTION,
        placeholder: plain("Any outcome"),
        options: outcomeOptions,
        ...(filter.lastOutcome ? { initial_option: option(filter.lastOutcome, OUTCOMES[filter.lastOutcome]) } : {}),
      },
    },
    {
      type: "input",
      block_id: queueFields.flags,
      optional: true,
      label: plain("Only leads that are"),
      element: {
        type: "checkboxes",
        action_id: INPUT_ACTION,
        options: flagOptions,
        ...(flags.length > 0 ? { initial_options: flags } : {}),
      },
    },
  ];
}

/** The queue's order and pacing: which lead first, how long a lead rests, when it leaves, auto-advance. */
function pacingBlocks(queue: CallQueue | undefined): KnownBlock[] {
  const removes = queue ? queue.removeOutcomes.split(",").filter(Boolean) : DEFAULT_REMOVES;
  const outcomeOptions = Object.entries(OUTCOMES).map(([value, text]) => option(value, text));
  const order = (queue?.orderBy ?? "callbacks") as QueueOrder;
  return [
    {
      type: "input",
      block_id: queueFields.orderBy,
      label: plain("Order"),
      element: {
        type: "static_select",
        action_id: INPUT_ACTION,
        options: Object.entries(ORDER_WORDS).map(([value, text]) => option(value, text)),
        initial_option: option(order, ORDER_WORDS[order]),
      },
    },
    numberInput(queueFields.recallGapMin, "Re-call gap (minutes)", {
      initial: queue?.recallGapMin ?? 60,
      min: 1,
      max: 10_080,
      hint: "How long a lead rests in this queue after a call (up to 7 days).",
    }),
    numberInput(queueFields.maxAttempts, "Max attempts", {
      initial: queue?.maxAttempts ?? 6,
      min: 1,
      max: 50,
      hint: "Calls from this queue before a lead leaves it.",
    }),
    {
      type: "input",
      block_id: queueFields.removeOutcomes,
      optional: true,
      label: plain("Outcomes that take a lead out"),
      hint: plain("Do not call always does."),
      element: {
        type: "checkboxes",
        action_id: INPUT_ACTION,
        options: outcomeOptions,
        ...(removes.length > 0
          ? { initial_options: outcomeOptions.filter((o) => removes.includes(o.value ?? "")) }
          : {}),
      },
    },
    numberInput(queueFields.autoAdvanceSec, "Auto-advance (seconds)", {
      initial: queue?.autoAdvanceSec,
      optional: true,
      min: 3,
      max: 120,
      hint: "Empty: agent-paced. Only ever dials leads with autodial consent, never Florida or Oklahoma.",
    }),
  ];
}

/** The admin's queue form (App Home's New queue and Edit): a queue's filter, order and pacing. */
export function queueModal(queue: CallQueue | undefined): ModalView {
  return {
    type: "modal",
    callback_id: ids.queue.modalCallbackId,
    private_metadata: JSON.stringify(queue ? { queueId: queue.id } : {}),
    title: plain(queue ? "Edit call queue" : "New call queue"),
    submit: plain("Save"),
    close: plain("Cancel"),
    blocks: [
      textInput(queueFields.name, "Name", {
        initial: queue?.name,
        optional: false,
        max: 60,
        placeholder: "Zillow week",
      }),
      ...filterBlocks(queue),
      ...pacingBlocks(queue),
    ],
  };
}

/** Where each setting's refusal is shown: a zod path's first part ("filter.state" → the state field). */
const FIELD_OF: Record<string, string> = {
  name: queueFields.name,
  "filter.source": queueFields.source,
  "filter.state": queueFields.state,
  "filter.owner": queueFields.owner,
  "filter.lastOutcome": queueFields.lastOutcome,
  orderBy: queueFields.orderBy,
  recallGapMin: queueFields.recallGapMin,
  maxAttempts: queueFields.maxAttempts,
  removeOutcomes: queueFields.removeOutcomes,
  autoAdvanceSec: queueFields.autoAdvanceSec,
};

const sentence = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}${/[.!?]$/.test(text) ? "" : "."}`;

/**
 * A refused save as the form shows it: each setting's problem beside its field; a taken name, or anything
 * else (not an admin, the queue gone), under the name, in the words `general` gives.
 */
export function queueFormErrors(
  error: { code?: string; data: Record<string, unknown> } | undefined,
  general: string,
): Record<string, string> {
  const fields =
    error?.code === "queue_invalid" ? (error.data.fields as Record<string, string> | undefined) : undefined;
  if (!fields) return { [queueFields.name]: general };
  const errors: Record<string, string> = {};
  for (const [path, message] of Object.entries(fields)) {
    const key = Object.keys(FIELD_OF).find((name) => path === name || path.startsWith(`${name}.`));
    const block = key ? FIELD_OF[key]! : queueFields.name;
    errors[block] = errors[block] ?? truncate(sentence(message), 150);
  }
  return errors;
}
