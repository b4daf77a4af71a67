import { readFileSync } from "node:fs";
import type { Json } from "../model.js";

// Parameters Calls create accepts: Twilio's OpenAPI spec (api_v2010 CreateCall), read from the extract.
const callsCreateSpec = JSON.parse(
  readFileSync(new URL("../../../test/reference/twilio/calls_create.json", import.meta.url), "utf8"),
) as { operation: { requestBody: { content: Record<string, { schema: { properties: Json } }> } } };
export const CREATE_PARAMS: ReadonlySet<string> = new Set(
  Object.keys(callsCreateSpec.operation.requestBody.content["application/x-www-form-urlencoded"]!.schema.properties),
);

// Twilio's test numbers and the errors they give (Twilio's "test credentials" magic numbers).
export const MAGIC_TO: Record<string, [number, string]> = {
  "+15005550001": [21217, "Phone number does not appear to be valid"],
  "+15005550002": [21214, "'To' phone number cannot be reached"],
  "+15005550003": [
    21215,
    "Account not authorized to call +15005550003. Perhaps you need to enable some international permissions",
  ],
  "+15005550004": [21216, "Call blocked by Twilio blocklist"],
};
