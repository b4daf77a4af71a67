import type OpenAI from "openai";
import { type Summariser, SummariserUnavailable } from "./summariser.js";
import {
  fitTranscript,
  PROMPT_VERSION,
  parseSummary,
  SUMMARY_JSON_SCHEMA,
  systemPrompt,
  transcriptText,
  userMessage,
} from "./summary-request.js";

type Sdk = typeof import("openai").default;
let sdk: Promise<Sdk> | undefined;
/** The SDK (about 15 MB resident) is loaded at the first summary: most processes never ask for one. */
const loadSdk = () => (sdk ??= import("openai").then((module) => module.default));

/** Room kept for the system prompt, the schema and the answer, in tokens. */
const RESERVED_TOKENS = 2_500;
const ANSWER_TOKENS = 900;

/**
 * The chat-completions adapter (the official `openai` SDK; SUMMARY_API_URL may be any compatible
 * server, hosted or self-hosted). The SDK's own retries are off: a provider that is down or rate
 * limited is tried again by the transcript tick with backoff, so no tick waits on it.
 */
export function createOpenAiSummariser(options: {
  baseURL: string;
  apiKey: string;
  model: string;
  /** The model's context window in tokens; the transcript is cut to fit it (about four characters a token). */
  contextTokens: number;
  timeoutMs?: number;
}): Summariser {
  let client: Promise<OpenAI> | undefined;
  const connect = () =>
    (client ??= loadSdk().then(
      (OpenAI) =>
        new OpenAI({
          baseURL: options.baseURL,
          apiKey: options.apiKey,
          maxRetries: 0,
          timeout: options.timeoutMs ?? 30_000,
        }),
    ));
  const budgetChars = Math.max(2_000, (options.contextTokens - RESERVED_TOKENS) * 3);

  const ask = async (system: string, user: string): Promise<string | null> => {
    const OpenAI = await loadSdk();
    try {
      const completion = await (await connect()).chat.completions.create({
        model: options.model,
        temperature: 0,
        max_completion_tokens: ANSWER_TOKENS,
        messages: [
          { role: "system", content: system },
          { role: "user", content: user },
        ],
        response_format: {
          type: "json_schema",
          json_schema: {
            name: "call_summary",
            strict: true,
            schema: SUMMARY_JSON_SCHEMA as unknown as Record<string, unknown>,
          },
        },
      });
      const choice = completion.choices[0];
      return choice?.finish_reason === "stop" ? (choice.message.content ?? null) : null;
    } catch (error) {
      throw unavailable(OpenAI, error);
    }
  };

  return {
    provider: "openai-compatible",
    model: options.model,
    async summarise({ lines, today, weekday, leadZone }) {
      const { text, cut } = fitTranscript(transcriptText(lines), budgetChars);
      const system = systemPrompt({ today, weekday, leadZone });
      const user = userMessage(text);
      let reason = "";
      // Invalid output gets one more try; the second answer decides.
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const parsed = parseSummary(await ask(system, user));
        if (parsed.ok) return { kind: "ok", summary: parsed.value, promptVersion: PROMPT_VERSION, cut };
        reason = parsed.reason;
      }
      return { kind: "invalid", reason, promptVersion: PROMPT_VERSION };
    },
  };
}

/** The SDK's errors as "try later" (connection, timeout, 408/409/429, 5xx) or a refusal to report. */
function unavailable(OpenAI: Sdk, error: unknown): Error {
  if (error instanceof OpenAI.APIConnectionTimeoutError) return new SummariserUnavailable("provider timed out");
  if (error instanceof OpenAI.APIConnectionError) return new SummariserUnavailable("provider unreachable");
  if (error instanceof OpenAI.APIError) {
    const status = error.status ?? 0;
    const header = error.headers?.get?.("retry-after");
    const seconds = header ? Number(header) : Number.NaN;
    const retryAfterMs = Number.isFinite(seconds) ? seconds * 1000 : undefined;
    // The error's message can quote the request: only the status and code are kept.
    return new SummariserUnavailable(
      `provider answered ${status || "nothing"} ${error.code ?? ""}`.trim(),
      retryAfterMs,
    );
  }
  return new SummariserUnavailable("provider unreachable");
}
