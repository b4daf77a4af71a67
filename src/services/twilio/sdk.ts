import { createRequire } from "node:module";
import type Twilio from "twilio";

export type TwilioSdk = typeof Twilio;

const require = createRequire(import.meta.url);
let sdk: TwilioSdk | undefined;

/**
 * The Twilio SDK (with axios and xmlbuilder: about 2.5 MB of heap), loaded the first time a call, a webhook or
 * TwiML needs it; an idle instance and /call-lead never do. A synchronous require: two first uses at once load it
 * once (nothing runs between them), and a failure to load throws at the use that needed it.
 */
export function twilioSdk(): TwilioSdk {
  sdk ??= require("twilio") as TwilioSdk;
  return sdk;
}

/** The SDK only if something already loaded it: an error can be one of the SDK's own only then. */
export function loadedTwilioSdk(): TwilioSdk | undefined {
  return sdk;
}
