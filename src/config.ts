import { z } from "zod";
import type { CrmProviderModule } from "./services/crm/connector.js";
import { CRM_PROVIDERS } from "./services/crm/providers.js";

const csv = (value: string) =>
  value
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part.length > 0);

const base64Key = z
  .string()
  .trim()
  .refine((value) => /^[A-Za-z0-9+/_-]+={0,2}$/.test(value) && decodeKey(value).length === 32, {
    message: "must be 32 bytes encoded as base64 (generate one with: openssl rand -base64 32)",
  });

export function decodeKey(value: string): Buffer {
  return Buffer.from(value.trim().replace(/-/g, "+").replace(/_/g, "/"), "base64");
}

const countryCode = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{2}$/, "must be a two-letter ISO country code such as US");

const httpUrl = (what: string) =>
  z
    .string()
    .trim()
    .url(`must be ${what}`)
    .refine((value) => /^https?:\/\//.test(value), { message: `must be ${what}` });

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  SLACK_BOT_TOKEN: z
    .string()
    .trim()
    .regex(/^xox[bp]-/, "must be a Slack bot token starting with xoxb-")
    .optional(),
  SLACK_CLIENT_ID: z
    .string()
    .trim()
    .regex(/^\d+\.\d+$/, "must be your Slack app's Client ID (Basic Information), digits.digits")
    .optional(),
  SLACK_CLIENT_SECRET: z
    .string()
    .trim()
    .min(8, "must be your Slack app's Client Secret (Basic Information)")
    .optional(),
  SLACK_STATE_SECRET: z
    .string()
    .trim()
    .min(16, "must be at least 16 random characters (it signs the OAuth state: openssl rand -hex 24)")
    .optional(),
  SLACK_AUTHORIZE_URL: httpUrl("an http(s) URL of Slack's OAuth authorize page").default(
    "https://slack.com/oauth/v2/authorize",
  ),
  SLACK_SIGNING_SECRET: z
    .string({ error: "is required: the Signing Secret from your Slack app's Basic Information page" })
    .trim()
    .min(1, "is required: the Signing Secret from your Slack app's Basic Information page"),
  SLACK_APP_TOKEN: z
    .string()
    .trim()
    .regex(/^xapp-/, "must be an app-level token starting with xapp- (or unset for HTTP mode)")
    .optional(),
  DATABASE_URL: z
    .string()
    .trim()
    .regex(
      /^(file:.+|postgres(ql)?:\/\/.+)$/,
      "must be a SQLite URL such as file:./data/leadline.db or a PostgreSQL URL such as postgresql://user:password@host:5432/leadline",
    )
    .default("file:./data/leadline.db"),
  APP_ENCRYPTION_KEY: base64Key.optional(),
  APP_ENCRYPTION_KEY_PREVIOUS: base64Key.optional(),
  PUBLIC_BASE_URL: httpUrl("the https address where Twilio reaches this app, e.g. https://leadline.example.com")
    .transform((value) => value.replace(/\/+$/, ""))
    .optional(),
  ADMIN_SLACK_USER_IDS: z
    .string()
    .transform(csv)
    .pipe(z.array(z.string().regex(/^[UW][A-Z0-9]+$/, "must be Slack user ids such as U012ABCDEF")))
    .optional(),
  LEADS_CHANNEL_ID: z
    .string()
    .trim()
    .regex(/^[CGD][A-Z0-9]+$/, "must be a Slack channel id such as C012ABCDEF")
    .optional(),
  LEADS_API_TOKEN: z.string().trim().min(16, "must be at least 16 characters").optional(),
  DEFAULT_COUNTRY: countryCode.default("US"),
  ALLOWED_COUNTRIES: z
    .string()
    .transform(csv)
    .pipe(z.array(countryCode).min(1, "must list at least one country"))
    .default(["US", "CA"]),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  SLACK_API_URL: httpUrl("an http(s) URL of the Slack Web API")
    .transform((value) => (value.endsWith("/") ? value : `${value}/`))
    .default("https://slack.com/api/"),
  TWILIO_API_URL: httpUrl("an http(s) URL of the Twilio REST API")
    .transform((value) => value.replace(/\/+$/, ""))
    .default("https://api.twilio.com"),
  /** The summariser: an OpenAI-style chat-completions API (hosted or self-hosted); unset, summaries cannot be turned on. */
  SUMMARY_API_URL: httpUrl(
    "an http(s) URL of a chat-completions API (its base, such as https://api.openai.com/v1)",
  ).optional(),
  SUMMARY_API_KEY: z.string().trim().min(1).optional(),
  SUMMARY_MODEL: z.string().trim().min(1).max(200).optional(),
  /** The summary model's context window in tokens: long calls are cut to fit it. */
  SUMMARY_CONTEXT_TOKENS: z.coerce.number().int().min(4_000).max(2_000_000).default(16_000),
  /** How long one summary request may take before it is tried again later (the tick never waits on it). */
  SUMMARY_TIMEOUT_SECONDS: z.coerce.number().min(0.1).max(600).default(30),
});

export type Config = Readonly<
  z.infer<typeof schema> & {
    /** Each CRM adapter's settings, read from its own variables (its module's `env`), by provider id. */
    crm: Readonly<Record<string, unknown>>;
  }
>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const problemsOf = (issues: z.core.$ZodIssue[]) =>
  issues.map((issue) => {
    const name = issue.path.join(".") || "environment";
    const message = issue.message.startsWith("Invalid input") ? `is required` : issue.message;
    return `${name} ${message}`;
  });

/**
 * Reads and validates the environment, the CRM adapters' variables included (each module's `env`);
 * throws ConfigError naming every bad variable.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  crmProviders: readonly CrmProviderModule[] = CRM_PROVIDERS,
): Config {
  // Treat empty strings like unset, as .env files often carry `NAME=` lines.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ""));
  const parsed = schema.safeParse(cleaned);
  const problems = parsed.success ? [] : problemsOf(parsed.error.issues);
  const crm: Record<string, unknown> = {};
  for (const provider of crmProviders) {
    const read = provider.env.safeParse(cleaned);
    if (read.success) crm[provider.id] = read.data;
    else problems.push(...problemsOf(read.error.issues));
  }
  problems.push(...modeProblems(cleaned));
  if (cleaned.SUMMARY_API_URL && !cleaned.SUMMARY_MODEL)
    problems.push(
      "SUMMARY_MODEL is required with SUMMARY_API_URL: the model that writes call summaries (such as gpt-4o-mini)",
    );
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  if (parsed.data.NODE_ENV === "production" && !parsed.data.APP_ENCRYPTION_KEY) {
    throw new ConfigError([
      "APP_ENCRYPTION_KEY is required in production: 32 bytes encoded as base64 (openssl rand -base64 32)",
    ]);
  }
  return Object.freeze({ ...parsed.data, crm: Object.freeze(crm) });
}

/** Single-workspace mode needs SLACK_BOT_TOKEN; multi-workspace mode needs all three OAuth variables. */
function modeProblems(env: Record<string, string | undefined>): string[] {
  const oauth = ["SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_STATE_SECRET"] as const;
  const set = oauth.filter((name) => env[name]);
  if (set.length > 0 && set.length < oauth.length) {
    return [
      `Multi-workspace mode needs all three of SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET (missing: ${oauth
        .filter((name) => !env[name])
        .join(", ")})`,
    ];
  }
  if (set.length === 0 && !env.SLACK_BOT_TOKEN) {
    return [
      "SLACK_BOT_TOKEN is required: the Bot User OAuth Token (xoxb-…) from your Slack app (or set SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET to install into many workspaces)",
    ];
  }
  if (set.length === oauth.length && env.SLACK_APP_TOKEN) {
    return [
      "SLACK_APP_TOKEN (Socket Mode) works with one workspace only: unset it to use multi-workspace mode (SLACK_CLIENT_ID…)",
    ];
  }
  return [];
}
