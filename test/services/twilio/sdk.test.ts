import { describe, expect, it } from "vitest";
import { isAmbiguousTwilioFailure, isTwilioRefusal, toTwilioError } from "../../../src/services/twilio/client.js";
import { loadedTwilioSdk, twilioSdk } from "../../../src/services/twilio/sdk.js";
import { hangUpTwiml } from "../../../src/services/twilio/twiml.js";

// The Twilio SDK is loaded on first use (src/services/twilio/sdk.ts): importing the adapter loads nothing,
// telling an error apart loads nothing (no error can be the SDK's before it is loaded), and the first
// TwiML or client loads it once. One module registry per test file: nothing here loaded it before.

describe("the Twilio SDK, loaded on first use", () => {
  it("is not loaded by importing the adapter or by looking at an error; the first TwiML loads it once", () => {
    expect(loadedTwilioSdk()).toBeUndefined();
    const timeout = Object.assign(new Error("timeout of 15000ms exceeded"), { code: "ECONNABORTED" });
    expect(toTwilioError(timeout)).toBeUndefined();
    expect(isTwilioRefusal(timeout)).toBe(false);
    expect(isAmbiguousTwilioFailure(timeout)).toBe(true);
    expect(loadedTwilioSdk()).toBeUndefined();

    expect(hangUpTwiml()).toContain("<Hangup/>");
    const loaded = loadedTwilioSdk();
    expect(loaded).toBeDefined();
    expect(twilioSdk()).toBe(loaded);

    // Once loaded, the SDK's own errors are recognised as before.
    const refused = new loaded!.RestException({ statusCode: 400, body: { code: 21211, message: "Invalid 'To'" } });
    expect(isTwilioRefusal(refused)).toBe(true);
    expect(toTwilioError(refused)).toMatchObject({ code: 21211 });
  });
});
