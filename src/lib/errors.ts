/** Something the user can fix; the message is shown to them as is. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly options: { field?: string; code?: string } = {},
  ) {
    super(message);
    this.name = "UserError";
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

/** The text a Slack user sees for any error; unexpected errors never leak internals. */
export function userMessage(error: unknown, what = "the request"): string {
  if (error instanceof UserError) return error.message;
  if (error instanceof ExternalError) {
    const service = error.service === "twilio" ? "Twilio" : "Slack";
    const code = error.code !== undefined ? ` (${error.code})` : "";
    const more = error.moreInfo ? ` ${error.moreInfo}` : "";
    return `${service} refused ${what}${code}: ${error.message}${more}`;
  }
  return "Something went wrong on Leadline's side. The team has been told in the logs; please try again in a minute.";
}
