import { createHash, randomBytes } from "node:crypto";
import type { Json } from "./model.js";

/** Small pieces every simulated resource uses: SIDs, dates, and Twilio's error bodies. */

export interface RestResult {
  status: number;
  /** JSON, audio, or nothing (204 No Content). */
  body: Json | Buffer | null;
}

export const sidFrom = (prefix: string, seed: string) =>
  `${prefix}${createHash("sha256").update(seed).digest("hex").slice(0, 32)}`;
export const randomSid = (prefix: string) => `${prefix}${randomBytes(16).toString("hex")}`;
/** Twilio's 2010 API writes dates as RFC 2822 with a numeric zone. */
export const rfc2822 = (date: Date) => date.toUTCString().replace("GMT", "+0000");
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** A phone number Twilio can dial: E.164. */
export const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * Twilio's legacy (2010 API) JSON error body: code, message, more_info, status
 * (test/reference/twilio/error_responses.json).
 */
export function restError(status: number, code: number, message: string): { status: number; body: Json } {
  return { status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } };
}

export const notFound = () => restError(404, 20404, "The requested resource was not found");

const SERVER_ERRORS: Record<number, string> = {
  20429: "Too Many Requests",
  20500: "Internal Server Error",
  20503: "Service Unavailable",
};

export function injectedError(status: number, code?: number): { status: number; body: Json } {
  const chosen = code ?? (status === 429 ? 20429 : status === 503 ? 20503 : 20500);
  return restError(status, chosen, SERVER_ERRORS[chosen] ?? "Injected failure");
}
