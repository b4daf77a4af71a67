import twilio from "twilio";
import { ExternalError } from "../../lib/errors.js";

export type TwilioClient = ReturnType<typeof twilio>;
type RequestOptions<TData> = Parameters<InstanceType<typeof twilio.RequestClient>["request"]>[0] & { data?: TData };

export interface TwilioCredentials {
  accountSid: string;
  authToken: string;
}

const DEFAULT_API_URL = "https://api.twilio.com";

/**
 * Sends every SDK request to `apiUrl` instead of *.twilio.com, keeping path and query: this is how
 * tests and the sandbox reach a local Twilio. With the default URL requests go out untouched.
 */
class RedirectingRequestClient extends twilio.RequestClient {
  constructor(
    private readonly apiUrl: string,
    options: ConstructorParameters<typeof twilio.RequestClient>[0],
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
    const httpClient = redirect
      ? new RedirectingRequestClient(apiUrl, { timeout: timeoutMs, keepAlive: true })
      : new twilio.RequestClient({ timeout: timeoutMs, keepAlive: true });
    return twilio(accountSid, authToken, { httpClient, autoRetry: false });
  };
}

/** Maps the SDK's RestException to our ExternalError, keeping Twilio's code and docs link. */
export function toTwilioError(error: unknown): ExternalError | undefined {
  if (error instanceof twilio.RestException) {
    return new ExternalError("twilio", error.code, error.message, error.moreInfo, error.status);
  }
  return undefined;
}

/**
 * Twilio looked at the request and said no: a 4xx with Twilio's error code. Nothing was placed.
 * A 5xx, a timeout or a reset is not a refusal: Twilio may have acted, so the caller reconciles.
 */
export function isTwilioRefusal(error: unknown): boolean {
  return error instanceof twilio.RestException && error.status >= 400 && error.status < 500 && Boolean(error.code);
}

/** A timeout or network failure: Twilio may or may not have acted on the request. */
export function isAmbiguousTwilioFailure(error: unknown): boolean {
  if (error instanceof twilio.RestException) return false;
  const code = (error as { code?: unknown })?.code;
  return (
    (typeof code === "string" &&
      ["ECONNABORTED", "ETIMEDOUT", "ECONNRESET", "EPIPE", "ESOCKETTIMEDOUT", "ERR_CANCELED", "ECONNREFUSED"].includes(
        code,
      )) ||
    /timeout|socket hang up|network/i.test(String((error as Error)?.message ?? ""))
  );
}
