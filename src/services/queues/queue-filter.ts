import { z } from "zod";

/**
 * A queue's filter and order: what the admin's form saves, validated here (the store builds its SQL only
 * from these values, always as parameters) and read back from the row's JSON.
 */
export const OUTCOMES = [
  "interested",
  "appointment",
  "callback",
  "not_interested",
  "wrong_number",
  "do_not_call",
] as const;
export type QueueOutcome = (typeof OUTCOMES)[number];

export const ORDERS = ["callbacks", "new", "fewest", "oldest"] as const;
export type QueueOrder = (typeof ORDERS)[number];

/** Plain printable text: no control characters, no Slack markup characters that could forge a mention or link. */
const plain = (what: string, max: number) =>
  z
    .string()
    .trim()
    .min(1, `${what} is empty`)
    .max(max, `${what} is longer than ${max} characters`)
    .refine(
      (text) =>
        ![...text].some((char) => char.charCodeAt(0) < 32 || char.charCodeAt(0) === 127 || "<>*_~`|".includes(char)),
      `${what} may not contain < > * _ ~ \` | or control characters`,
    );

export const queueFilterSchema = z
  .object({
    owner: z
      .string()
      .regex(/^[UW][A-Z0-9]{2,20}$/, "the owner must be a Slack user")
      .optional(),
    source: plain("The source", 80).optional(),
    state: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z]{2}$/, "the state must be a two-letter code such as FL")
      .optional(),
    lastOutcome: z.enum(OUTCOMES).optional(),
    neverCalled: z.boolean().optional(),
    callbackDue: z.boolean().optional(),
  })
  .strict();

export type QueueFilter = z.infer<typeof queueFilterSchema>;

export const queueSettingsSchema = z.object({
  name: plain("The queue's name", 60).refine((name) => !/^(new|edit|delete|status|list|help)$/i.test(name), {
    message: "that name is a /call-queue word (new, edit, delete, status, list, help)",
  }),
  filter: queueFilterSchema.default({}),
  orderBy: z.enum(ORDERS).default("callbacks"),
  recallGapMin: z
    .number()
    .int()
    .min(1, "the re-call gap is at least 1 minute")
    .max(10_080, "the re-call gap is at most 7 days")
    .default(60),
  maxAttempts: z.number().int().min(1, "max attempts is at least 1").max(50, "max attempts is at most 50").default(6),
  removeOutcomes: z
    .array(z.enum(OUTCOMES))
    .default(["do_not_call", "wrong_number", "appointment", "not_interested"])
    // Do not call always takes a lead out: the list is the law, not a queue setting.
    .transform((list) => [...new Set<QueueOutcome>(["do_not_call", ...list])]),
  autoAdvanceSec: z
    .number()
    .int()
    .min(3, "auto-advance waits at least 3 seconds")
    .max(120, "auto-advance waits at most 120 seconds")
    .nullable()
    .default(null),
});

export type QueueSettingsInput = z.input<typeof queueSettingsSchema>;
export type QueueSettings = z.output<typeof queueSettingsSchema>;

/** The filter stored on a row; a row whose JSON no longer parses matches no lead (never every lead). */
export function parseStoredFilter(json: string): QueueFilter {
  try {
    return queueFilterSchema.parse(JSON.parse(json));
  } catch {
    return { neverCalled: true, source: "\u0000unreadable" };
  }
}

export const nameKeyOf = (name: string) => name.trim().toLowerCase();
