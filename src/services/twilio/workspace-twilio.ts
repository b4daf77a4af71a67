import { UserError } from "../../lib/errors.js";
import type { SettingsService, TwilioSettings } from "../setup/settings.js";
import type { TwilioClient, TwilioClientFactory } from "./client.js";

/** A workspace without its Twilio account and Auth Token: nothing can be asked of Twilio for it. */
export class TwilioNotConfigured extends UserError {
  constructor() {
    super("twilio_missing", { code: "twilio_missing", data: { workspace: true }, typed: true });
    this.name = "TwilioNotConfigured";
  }
}

export interface WorkspaceTwilioAccess {
  client: TwilioClient;
  accountSid: string;
  authToken: string;
  settings: TwilioSettings;
}

/**
 * The one way to a workspace's Twilio: its settings → its credentials → a client. Pass the settings
 * when the caller has already read them (a call reads them once). Throws TwilioNotConfigured.
 */
export type TwilioFor = (ws: number, settings?: TwilioSettings) => Promise<WorkspaceTwilioAccess>;

export function createTwilioFor(deps: {
  settings: Pick<SettingsService, "get">;
  clients: TwilioClientFactory;
}): TwilioFor {
  return async (ws, given) => {
    const settings = given ?? (await deps.settings.get(ws));
    const { accountSid, authToken } = settings;
    if (!accountSid || !authToken) throw new TwilioNotConfigured();
    return { client: deps.clients({ accountSid, authToken }), accountSid, authToken, settings };
  };
}
