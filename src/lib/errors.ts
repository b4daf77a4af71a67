/**
 * Something the user can fix or should know. A domain service throws it as a typed refusal,
 * `UserError.of(code, data)`: the code says what happened and the data carries what the words need; the
 * words live in views (src/views/error-words/, rendered by src/views/errors.ts, the one place errors
 * become words), and `message` is then the code (for logs). Listeners may still throw
 * `new UserError(sentence, …)`, plain English with no Slack markup; in services only the lead intake's
 * field sentences do (test/architecture.test.ts lists them and says why).
 */
export class UserError extends Error {
  readonly code?: string;
  readonly field?: string;
  readonly data: Record<string, unknown>;
  /** A typed refusal: its words are in views, looked up by `code`. */
  readonly typed: boolean;

  constructor(
    message: string,
    options: { field?: string; code?: string; data?: Record<string, unknown>; typed?: boolean } = {},
  ) {
    super(message);
    this.name = "UserError";
    this.code = options.code;
    this.field = options.field;
    this.data = options.data ?? {};
    this.typed = options.typed ?? false;
  }

  /** A typed refusal: `code` and the data its words need (views/error-words/ say it). */
  static of(code: string, data: Record<string, unknown> = {}, options: { field?: string } = {}): UserError {
    return new UserError(code, { code, data, field: options.field, typed: true });
  }
}

/** A refusal from Slack or Twilio, carrying the service's own code. */
export class ExternalError extends Error {
  constructor(
    readonly service: "twilio" | "slack",
    readonly code: number | string | undefined,
    message: string,
    readonly moreInfo?: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "ExternalError";
  }
}

/** Errors a person is told about as they are; anything else is a fault of Leadline's, logged and apologised for. */
export function isExpected(error: unknown): error is UserError | ExternalError {
  return error instanceof UserError || error instanceof ExternalError;
}

/**
 * The database was held by another writer for longer than Leadline waits: Prisma's P1008 and P2028
 * (transaction timeout), SQLite's BUSY, PostgreSQL's lock_timeout (55P03).
 */
export function isDatabaseBusy(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  const message = String((error as Error)?.message);
  return (
    code === "P1008" ||
    code === "P2028" ||
    code === "SQLITE_BUSY" ||
    code === "55P03" ||
    /database is locked|lock timeout|canceling statement due to lock timeout/i.test(message)
  );
}

/**
 * The database could not take a write because its disk is full: SQLite's SQLITE_FULL, the system's
 * ENOSPC, PostgreSQL's disk_full (53100). The store layer (src/services/store/db.ts) raises it in
 * place of the driver's error; the failed write left nothing behind.
 */
export class DatabaseFull extends Error {
  constructor(
    readonly engineCode: string,
    options: { cause?: unknown } = {},
  ) {
    super(`the database's disk is full (${engineCode}); nothing was saved`, options);
    this.name = "DatabaseFull";
  }
}

const DISK_FULL_CODES = new Set(["SQLITE_FULL", "ENOSPC", "53100"]);
/** SQLite's primary result code for SQLITE_FULL, as Prisma's SQLite adapter reports it (`extendedCode`). */
const SQLITE_FULL_NUMBER = 13;
const DISK_FULL_TEXT = /database or disk is full|no space left on device|Code: `53100`/i;

/**
 * The disk-full code inside a database driver's error, however it is wrapped (Prisma's known-request
 * and driver-adapter errors, better-sqlite3's SqliteError, node-postgres's DatabaseError), or undefined.
 * A code anywhere in the chain wins over words in a message.
 */
export function diskFullCode(error: unknown): string | undefined {
  if (error instanceof DatabaseFull) return error.engineCode;
  const chain = causes(error);
  for (const fields of chain) {
    for (const code of [fields.code, fields.originalCode]) {
      if (typeof code === "string" && DISK_FULL_CODES.has(code)) return code;
    }
    if (fields.extendedCode === SQLITE_FULL_NUMBER) return "SQLITE_FULL";
  }
  for (const { message } of chain) {
    const match = typeof message === "string" ? DISK_FULL_TEXT.exec(message)?.[0] : undefined;
    if (match) return /53100/.test(match) ? "53100" : /space/i.test(match) ? "ENOSPC" : "SQLITE_FULL";
  }
  return undefined;
}

interface ErrorFields {
  code?: unknown;
  originalCode?: unknown;
  extendedCode?: unknown;
  message?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: unknown };
}

/** An error and what it wraps (its `cause`, Prisma's `meta.driverAdapterError`), a few levels deep. */
function causes(error: unknown): ErrorFields[] {
  const out: ErrorFields[] = [];
  const todo = [error];
  while (todo.length > 0 && out.length < 8) {
    const next = todo.shift();
    if (typeof next !== "object" || next === null) continue;
    const fields = next as ErrorFields;
    out.push(fields);
    todo.push(fields.cause, fields.meta?.driverAdapterError);
  }
  return out;
}

/**
 * The calling law forbids this call now: every reason, and the next time all of them pass (when
 * they are all about time). Rendered as a compliance card with a "Schedule for …" button.
 */
export class ComplianceBlock extends UserError {
  constructor(
    readonly verdict: {
      allowed: false;
      reasons: readonly { kind: string }[];
      nextAllowedAt?: Date;
      zones: readonly string[];
      states: readonly string[];
    },
    readonly lead: { id: number; name: string; phone: string | null },
    readonly mode: string,
    /** For a text ("text" mode): the refused text's id, which "Send at …" schedules. */
    data: Record<string, unknown> = {},
  ) {
    super(
      mode === "text"
        ? `The law blocks this text to ${lead.name} now.`
        : `Calling law blocks this call to ${lead.name} now.`,
      { code: "compliance_block", data },
    );
    this.name = "ComplianceBlock";
  }
}
