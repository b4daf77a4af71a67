import { randomBytes } from "node:crypto";
import { fitToSchema } from "./fit.js";
import { type JsonSchema, strictSchemaProblem } from "./json-schema.js";
import { analyse, type Facts, type InjectionStance } from "./model.js";

// One chat completion, as OpenAI's API reference describes it (platform.openai.com/docs/api-reference/
// chat/create and the chat completion object): the request's checks and the documented 400s — the
// context window ("context_length_exceeded"), JSON mode's rule that "the string 'JSON' must appear
// somewhere in the context", strict Structured Outputs' schema rules — then the answer: id, object
// "chat.completion", created, model, choices[{ index, message { role, content, refusal }, finish_reason }],
// usage. finish_reason is "length" when max_tokens / max_completion_tokens cut the answer.

export type Fault =
  /** Text that is not JSON ("Sure! Here is…"). */
  | { kind: "garbage" }
  /** Valid JSON that breaks the requested schema. */
  | { kind: "schema-invalid" }
  /** A 5xx with OpenAI's server_error body (default 500). */
  | { kind: "server-error"; status?: number }
  /** A 429 with retry-after (seconds, may be fractional: the SDK reads it as a float) and x-ratelimit-* headers. */
  | { kind: "rate-limit"; retryAfter?: number }
  /** The usual answer, after `ms`. */
  | { kind: "slow"; ms: number }
  /** Exactly this content. */
  | { kind: "reply"; content: string };

export interface CompletionRequest {
  model?: unknown;
  messages?: Array<{ role?: string; content?: unknown }>;
  response_format?: { type?: string; json_schema?: { name?: string; schema?: JsonSchema; strict?: boolean | null } };
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  stream?: boolean | null;
}

interface Env {
  models: string[];
  contextLength: number;
  now: Date;
  injection: InjectionStance;
}

export interface CompletionAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const invalid = (
  message: string,
  param: string | null = null,
  code: string | null = null,
  status = 400,
): CompletionAnswer => ({
  status,
  body: { error: { message, type: "invalid_request_error", param, code } },
});

/** A message's text: a string, or the text parts of a content array. */
function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((part) => (part && typeof part.text === "string" ? part.text : "")).join("\n");
}

/** What the fake reads as the call: the user messages (never the system prompt's instructions). */
export function transcriptOf(request: CompletionRequest): string {
  const messages = Array.isArray(request.messages) ? request.messages : [];
  return messages
    .filter((m) => m?.role === "user")
    .map((m) => textOf(m.content))
    .join("\n");
}

/** OpenAI counts tokens with a tokenizer; the fake counts four characters as one, plus three per message. */
const tokens = (text: string) => Math.ceil(text.length / 4);

function requestProblem(request: CompletionRequest, env: Env): CompletionAnswer | undefined {
  if (typeof request.model !== "string") return invalid("you must provide a model parameter");
  if (!Array.isArray(request.messages) || request.messages.length === 0)
    return invalid("[] is too short - 'messages'", "messages");
  if (!env.models.includes(request.model)) {
    return invalid(
      `The model \`${request.model}\` does not exist or you do not have access to it.`,
      null,
      "model_not_found",
      404,
    );
  }
  if (request.stream) return invalid("The sandbox fake does not stream answers; send stream: false.", "stream");
  const format = request.response_format;
  if (format && !["text", "json_object", "json_schema"].includes(format.type ?? "")) {
    return invalid(
      `Invalid value: '${format.type}'. Supported values are: 'text', 'json_object', and 'json_schema'.`,
      "response_format.type",
      "invalid_value",
    );
  }
  const everything = request.messages.map((m) => textOf(m?.content)).join("\n");
  if (format?.type === "json_object" && !/json/i.test(everything)) {
    return invalid(
      "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
      "messages",
    );
  }
  if (format?.type === "json_schema") {
    const spec = format.json_schema;
    if (!spec?.name || !spec.schema)
      return invalid(
        "Missing required parameter: 'response_format.json_schema.name'.",
        "response_format.json_schema.name",
        "missing_required_parameter",
      );
    // The API reference: "Must be a-z, A-Z, 0-9, or contain underscores and dashes, with a maximum length of 64."
    if (!/^[a-zA-Z0-9_-]+$/.test(spec.name))
      return invalid(
        "Invalid 'response_format.json_schema.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.",
        "response_format.json_schema.name",
        "invalid_value",
      );
    if (spec.name.length > 64)
      return invalid(
        `Invalid 'response_format.json_schema.name': string too long. Expected a string with maximum length 64, but got a string with length ${spec.name.length} instead.`,
        "response_format.json_schema.name",
        "string_above_max_length",
      );
    const problem = spec.strict ? strictSchemaProblem(spec.schema) : undefined;
    if (problem) return invalid(`Invalid schema for response_format '${spec.name}': ${problem}`, "response_format");
  }
  const prompt = request.messages.reduce((sum, m) => sum + tokens(textOf(m?.content)) + 3, 0);
  const wanted = request.max_completion_tokens ?? request.max_tokens ?? 0;
  if (prompt + wanted > env.contextLength) {
    const message =
      wanted > 0
        ? `This model's maximum context length is ${env.contextLength} tokens. However, you requested ${prompt + wanted} tokens (${prompt} in the messages, ${wanted} in the completion). Please reduce the length of the messages or completion.`
        : `This model's maximum context length is ${env.contextLength} tokens. However, your messages resulted in ${prompt} tokens. Please reduce the length of the messages.`;
    return invalid(message, "messages", "context_length_exceeded");
  }
  return undefined;
}

/** The answer's shape when the caller asks for JSON without a schema. */
const defaultJson = (facts: Facts) => ({
  summary: facts.summary.join("\n"),
  suggestedOutcome: facts.outcome,
  nextSteps: facts.nextSteps,
  fields: facts.fields,
  flags: facts.flags,
});

function contentFor(request: CompletionRequest, facts: Facts, fault: Fault | undefined): string {
  const format = request.response_format;
  if (fault?.kind === "reply") return fault.content;
  if (fault?.kind === "garbage")
    return `Sure! Here is the summary you asked for:\n{summary: ${facts.summary[0]}, outcome: ${facts.outcome}`;
  const schema = format?.type === "json_schema" ? format.json_schema?.schema : undefined;
  const value = schema ? fitToSchema(schema, facts) : defaultJson(facts);
  if (fault?.kind === "schema-invalid") {
    if (typeof value !== "object" || value === null || Array.isArray(value))
      return JSON.stringify({ unexpected: true });
    const broken: Record<string, unknown> = { ...value, unexpected: true };
    delete broken[schema?.required?.[0] ?? "summary"];
    return JSON.stringify(broken);
  }
  if (format?.type === "json_object" || schema) return JSON.stringify(value);
  const steps = facts.nextSteps.map((s) => `- ${s.action}${s.when ? ` (${s.when})` : ""}`);
  return [...facts.summary, ...(steps.length > 0 ? ["Next steps:", ...steps] : [])].join("\n");
}

function rateLimited(model: string, retryAfter: number): CompletionAnswer {
  return {
    status: 429,
    headers: {
      "retry-after": String(retryAfter),
      "x-ratelimit-limit-requests": "500",
      "x-ratelimit-remaining-requests": "0",
      "x-ratelimit-reset-requests": `${retryAfter}s`,
      "x-ratelimit-limit-tokens": "200000",
      "x-ratelimit-remaining-tokens": "199000",
      "x-ratelimit-reset-tokens": "300ms",
    },
    body: {
      error: {
        message: `Rate limit reached for ${model} in organization org-sandbox on requests per min (RPM): Limit 500, Used 500, Requested 1. Please try again in ${retryAfter}s. Visit https://platform.openai.com/account/rate-limits to learn more.`,
        type: "requests",
        param: null,
        code: "rate_limit_exceeded",
      },
    },
  };
}

export async function complete(
  request: CompletionRequest,
  fault: Fault | undefined,
  env: Env,
): Promise<CompletionAnswer> {
  const refused = requestProblem(request, env);
  if (refused) return refused;
  const model = request.model as string;
  if (fault?.kind === "rate-limit") return rateLimited(model, fault.retryAfter ?? 1);
  if (fault?.kind === "server-error") {
    return {
      status: fault.status ?? 500,
      body: {
        error: {
          message: "The server had an error while processing your request. Sorry about that!",
          type: "server_error",
          param: null,
          code: null,
        },
      },
    };
  }
  if (fault?.kind === "slow") await sleep(fault.ms);
  const facts = analyse(transcriptOf(request), env.now, env.injection);
  let content = contentFor(request, facts, fault);
  let finishReason = "stop";
  let completionTokens = tokens(content);
  const limit = request.max_completion_tokens ?? request.max_tokens;
  if (limit && completionTokens > limit) {
    content = content.slice(0, limit * 4);
    completionTokens = limit;
    finishReason = "length";
  }
  const promptTokens = (request.messages ?? []).reduce((sum, m) => sum + tokens(textOf(m?.content)) + 3, 0);
  return {
    status: 200,
    headers: { "x-ratelimit-limit-requests": "500", "x-ratelimit-remaining-requests": "499" },
    body: {
      id: `chatcmpl-${randomBytes(12).toString("base64url")}`,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [
        {
          index: 0,
          message: { role: "assistant", content, refusal: null, annotations: [] },
          logprobs: null,
          finish_reason: finishReason,
        },
      ],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
      },
      service_tier: "default",
      system_fingerprint: "fp_sandbox",
    },
  };
}
