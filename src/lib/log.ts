import { type Logger as PinoLogger, pino } from "pino";

export type Logger = PinoLogger;

// Anything that looks like a phone number: +15551234567, (555) 123-4567, 555.123.4567 …
const PHONE_PATTERN = /(?<![\w+])\+?\(?\d[\d\s().-]{6,}\d(?!\w)/g;

/** Keeps the last 4 digits: enough to tell calls apart in a log, not enough to call anyone. */
export function maskPhone(text: string): string {
  return text.replace(PHONE_PATTERN, (match) => {
    const digits = match.replace(/\D/g, "");
    if (digits.length < 7) return match;
    return `${match.startsWith("+") ? "+" : ""}***${digits.slice(-4)}`;
  });
}

// Capabilities that must never reach a log: a URL's query (signed links: ?exp&sig, ?t=…), Slack's
// response_url and webhook paths, Slack tokens, JWTs (browser-phone access tokens).
const URL_QUERY = /(\bhttps?:\/\/[^\s"'<>|?#]+)\?[^\s"'<>|]*/gi;
const SLACK_HOOK = /(\bhttps?:\/\/[^\s"'<>|/]+)\/(actions|commands|services|response)\/[^\s"'<>|]*/gi;
const SLACK_TOKEN = /\bxox[abposer]-[\w-]+|\bxapp-[\w-]+/g;
const JWT = /\beyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]*/g;

/** Removes signed links, response URLs and tokens from text bound for a log, and masks phone numbers. */
export function maskForLog(text: string): string {
  return maskPhone(
    text
      .replace(URL_QUERY, "$1?[redacted]")
      .replace(SLACK_HOOK, "$1/$2/[redacted]")
      .replace(SLACK_TOKEN, (token) => `${token.slice(0, 5)}[redacted]`)
      .replace(JWT, "[redacted-jwt]"),
  );
}

function maskDeep(value: unknown, depth = 0): unknown {
  if (depth > 6) return value;
  if (typeof value === "string") return maskForLog(value);
  if (Array.isArray(value)) return value.map((item) => maskDeep(item, depth + 1));
  if (value instanceof Error) {
    return {
      type: value.name,
      message: maskForLog(value.message),
      stack: value.stack ? maskForLog(value.stack) : undefined,
    };
  }
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, maskDeep(item, depth + 1)]));
  }
  return value;
}

const SECRET_KEYS = [
  "authToken",
  "apiKeySecret",
  "token",
  "password",
  "secret",
  "*.authToken",
  "*.apiKeySecret",
  "*.token",
  "*.secret",
  "response_url",
  "*.response_url",
  "headers.authorization",
  "req.headers.authorization",
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { app: "leadline" },
      redact: { paths: SECRET_KEYS, censor: "[redacted]" },
      formatters: {
        log: (object) => maskDeep(object) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const masked = args.map((arg) => (typeof arg === "string" ? maskForLog(arg) : arg)) as typeof args;
          method.apply(this, masked);
        },
      },
    },
    destination as pino.DestinationStream | undefined,
  );
}
