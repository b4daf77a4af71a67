/**
 * Something the user can fix or should know. `message` is plain English (no Slack markup): the one
 * place that maps errors to what a person sees (src/views/errors.ts) renders it, using `code` and
 * `data` where a richer answer helps (a mention, a button, a command to run).
 */
export class UserError extends Error {
  readonly code?: string;
  readonly field?: string;
  readonly data: Record<string, unknown>;

  constructor(message: string, options: { field?: string; code?: string; data?: Record<string, unknown> } = {}) {
    super(message);
    this.name = "UserError";
    this.code = options.code;
    this.field = options.field;
    this.data = options.data ?? {};
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
  ) {
    super(`Calling law blocks this call to ${lead.name} now.`, { code: "compliance_block" });
    this.name = "ComplianceBlock";
  }
}
