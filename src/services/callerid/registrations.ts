import type { TwilioClient } from "../twilio/client.js";

/**
 * Twilio's policy SIDs for the caller-ID registrations, the same in every account ("a static value",
 * Twilio's SHAKEN/STIR onboarding guide): a Trust Product is told apart by its policy_sid.
 * https://www.twilio.com/docs/voice/trusted-calling-with-shakenstir/shakenstir-onboarding/shaken-stir-trust-hub-api-direct-customer
 * https://www.twilio.com/docs/voice/brand-your-calls-using-cnam
 */
export const REGISTRATION_POLICIES = {
  shakenStir: "RN7a97559effdf62d00f4298208492a5ea",
  cnam: "RNf3db3cd1fe25fcfd3c3ded065c8fea53",
} as const;

export type Registration = keyof typeof REGISTRATION_POLICIES;

/** A Trust Product's status (trust_product_enum_status), or "none" when the number is in no such product. */
export type RegistrationStatus =
  | "none"
  | "draft"
  | "pending-review"
  | "in-review"
  | "twilio-rejected"
  | "twilio-approved";

/** Each number's (by its PN… SID) SHAKEN/STIR and CNAM status as Trust Hub reports them. */
export type Registrations = Map<string, Record<Registration, RegistrationStatus>>;

/** The further along of two statuses, when a number is in two products of one kind. */
const RANK: Record<RegistrationStatus, number> = {
  none: 0,
  draft: 1,
  "twilio-rejected": 2,
  "pending-review": 3,
  "in-review": 4,
  "twilio-approved": 5,
};

/**
 * Reads the account's SHAKEN/STIR and CNAM Trust Products and the numbers assigned to each
 * (TrustProducts list, then each one's ChannelEndpointAssignments).
 */
export async function readRegistrations(client: TwilioClient): Promise<Registrations> {
  const found: Registrations = new Map();
  for (const [kind, policySid] of Object.entries(REGISTRATION_POLICIES) as [Registration, string][]) {
    const products = await client.trusthub.v1.trustProducts.list({ policySid });
    for (const product of products) {
      const status = product.status as RegistrationStatus;
      const assignments = await client.trusthub.v1
        .trustProducts(product.sid)
        .trustProductsChannelEndpointAssignment.list();
      for (const assignment of assignments) {
        const entry = found.get(assignment.channelEndpointSid) ?? { shakenStir: "none", cnam: "none" };
        if (RANK[status] > RANK[entry[kind]]) entry[kind] = status;
        found.set(assignment.channelEndpointSid, entry);
      }
    }
  }
  return found;
}
