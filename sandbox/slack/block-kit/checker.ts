// Collects what is wrong with a payload the way Slack reports it: a sentence and a JSON pointer,
// e.g. "must be less than 3001 characters [json-pointer:/blocks/0/text/text]". The sentences copy
// the ones Slack answers with where they are known (see README.md); the rest follow their style.

export type Json = Record<string, unknown>;

export interface Problem {
  pointer: string;
  message: string;
}

export const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** "must be less than 3001 characters [json-pointer:/blocks/0/text/text]" */
export const describe = (problem: Problem) => `${problem.message} [json-pointer:${problem.pointer}]`;

export class Checker {
  readonly problems: Problem[] = [];

  fail(pointer: string, message: string): void {
    this.problems.push({ pointer, message });
  }

  /** A required field is there; says "missing required field" at its parent when not. */
  has(pointer: string, object: Json, field: string): boolean {
    if (object[field] !== undefined && object[field] !== null) return true;
    this.fail(pointer, `missing required field: ${field}`);
    return false;
  }

  /** A string's length, when the string is there. */
  length(pointer: string, value: unknown, max: number, min = 0): void {
    if (value === undefined) return;
    if (typeof value !== "string") {
      this.fail(pointer, "must be a string");
      return;
    }
    if (value.length > max) this.fail(pointer, `must be less than ${max + 1} characters`);
    else if (value.length < min) this.fail(pointer, `must be more than ${min - 1} characters`);
  }

  /** An array of at most `max` (and at least `min`) items; undefined when it is not an array. */
  list(pointer: string, value: unknown, max: number, min = 0): unknown[] | undefined {
    if (!Array.isArray(value)) {
      this.fail(pointer, "must provide an array");
      return undefined;
    }
    if (value.length > max) this.fail(pointer, `no more than ${max} items allowed`);
    if (value.length < min) this.fail(pointer, `must provide at least ${min} item${min === 1 ? "" : "s"}`);
    return value;
  }

  /** One of the values Slack accepts for a field, when the field is there. */
  oneOf(pointer: string, value: unknown, allowed: readonly string[]): void {
    if (value !== undefined && !allowed.includes(String(value))) this.fail(pointer, "must be a valid enum value");
  }

  /**
   * A text object (https://docs.slack.dev/reference/block-kit/composition-objects/text-object):
   * `plain_text` or `mrkdwn` (only `plain_text` where `plain` is set), its text 1 to `max` characters.
   */
  text(pointer: string, value: unknown, options: { max: number; plain?: boolean }): void {
    if (!isObject(value)) {
      this.fail(pointer, "must provide an object");
      return;
    }
    this.oneOf(`${pointer}/type`, value.type, options.plain ? ["plain_text"] : ["plain_text", "mrkdwn"]);
    if (value.type === undefined) this.fail(pointer, "missing required field: type");
    if (!this.has(pointer, value, "text")) return;
    this.length(`${pointer}/text`, value.text, Math.min(options.max, 3000), 1);
  }

  /** A text object that may be left out. */
  optionalText(pointer: string, value: unknown, options: { max: number; plain?: boolean }): void {
    if (value !== undefined) this.text(pointer, value, options);
  }
}
