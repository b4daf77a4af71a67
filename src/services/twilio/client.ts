import type { RequestClient } from "twilio";
import { ExternalError } from "../../lib/errors.js";
import { loadedTwilioSdk, type TwilioSdk, twilioSdk } from "./sdk.js";

export type TwilioClient = ReturnType<TwilioSdk>;
type RequestOptions<TData> = Parameters<RequestClient["request"]>[0] & { data?: TData };
type RequestClientOptions = ConstructorParameters<TwilioSdk["RequestClient"]>[0];

export interface TwilioCredentials {
  accountSid: string;
  authToken: string;
}

const DEFAULT_API_URL = "https://api.twilio.com";

/**
 * Sends every SDK request to `apiUrl` instead of *.twilio.com, keeping path and query: this is how
 * tests and the sandbox reach a local Twilio. With the default URL requests go out untouched. A class
 * over the SDK's, so made once the SDK is loaded.
 */
let redirecting: (new (apiUrl: string, options: RequestClientOptions) => RequestClient) | undefined;
function redirectingRequestClient() {
  redirecting ??= class RedirectingRequestClient extends twilioSdk().RequestClient {
    constructor(
      private readonly apiUrl: string,
      options: RequestClientOptions,
    ) {
      super(options);
    }

    override request<TData>(options: RequestOptions<TData>) {
      const target = new URL(options.uri);
      const base = new URL(this.apiUrl);
      target.protocol = base.protocol;
      target.host = base.host;
      target.pathname = `${base.pathname.replace(/\/$/, "")}${target.pathname}`;
      return super.request<TData>({ ...options, uri: target.toString() });
    }
  };
  return redirecting;
}

export interface TwilioClientFactoryOptions {
  apiUrl?: string;
  /** Per-request timeout; a create that times out is reconciled, never retried blindly. */
  timeoutMs?: number;
}

/** A Twilio client for given credentials (the setup check); everything else goes through workspace-twilio.ts. */
export type TwilioClientFactory = (credentials: TwilioCredentials) => TwilioClient;

export function createTwilioClientFactory({
  apiUrl = DEFAULT_API_URL,
  timeoutMs = 15_000,
}: TwilioClientFactoryOptions): TwilioClientFactory {
  const redirect = apiUrl.replace(/\/+$/, "") !== DEFAULT_API_URL;
  return ({ accountSid, authToken }) => {
    const twilio = twilioSdk();
    const httpClient = redirect
      ? new (redirectingRequestClient())(apiUrl, { timeout: timeoutMs, keepAlive: true })
      : new twilio.RequestClient({ timeout: timeoutMs, keepAlive: true });
    return twilio(accountSid, authToken, { httpClient, autoRetry: false });
  };
}

/** One of the SDK's own errors (only possible once something loaded the SDK). */
function isRestException(error: unknown): error is InstanceType<TwilioSdk["RestException"]> {
  const sdk = loadedTwilioSdk();
  return sdk !== undefined && error instanceof sdk.RestException;
}

/** Maps the SDK's RestException to our ExternalError, keeping Twilio's code and docs link. */
export function toTwilioError(error: unknown): ExternalError | undefined {
  if (isRestException(error)) {
    return new ExternalError("twilio", error.code, error.message, error.moreInfo, error.status);
  }
  return undefined;
}

/**
 * Twilio looked at the request and said no: a 4xx with Twilio's error code. Nothing was placed.
 * A 5xx, a timeout or a reset is not a refusal: Twilio may have acted, so the caller reconciles.
 */
export function isTwilioRefusal(error: unknown): boolean {
  return isRestException(error) && error.status >= 400 && error.status < 500 && Boolean(error.code);
}

/** A timeout or network failure: Twilio may or may not have acted on the request. */
export function isAmbiguousTwilioFailure(error: unknown): boolean {
  if (isRestException(error)) return false;
  const code = (error as { code?: unknown })?.code;
  return (
    (typeof code === "string" &&
      ["ECONNABORTED", "ETIMEDOUT", "ECONNRESET", "EPIPE", "ESOCKETTIMEDOUT", "ERR_CANCELED", "ECONNREFUSED"].includes(
        code,
      )) ||
    /timeout|socket hang up|network/i.test(String((error as Error)?.message ?? ""))
  );
}
