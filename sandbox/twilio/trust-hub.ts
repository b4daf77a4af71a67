import type { SimContext } from "./context.js";
import type { Json, SimAccount } from "./model.js";
import { numberSid } from "./numbers.js";
import { randomSid } from "./rest-kit.js";

/**
 * Trust Hub, enough to read a number's caller-ID registrations: Customer Profiles and Trust
 * Products (Bundles, BU…), each with its policy (which registration it is), status, and the phone
 * numbers assigned to it (ChannelEndpointAssignments, RA…). Accounts are seeded with them
 * (`addTrustProduct`, `addCustomerProfile`); their status changes as Twilio's review would.
 * Resources and fields: twilio-oai spec/json/twilio_trusthub_v1.json @ d50069b;
 * https://www.twilio.com/docs/trust-hub/trusthub-rest-api/trust-products,
 * https://www.twilio.com/docs/voice/trusted-calling-with-shakenstir/shakenstir-onboarding/shaken-stir-trust-hub-api-direct-customer,
 * https://www.twilio.com/docs/voice/brand-your-calls-using-cnam.
 */

/**
 * Twilio's policy SIDs, the same for every account ("a static value", Twilio's SHAKEN/STIR
 * onboarding guide); an app tells a SHAKEN/STIR or CNAM Trust Product by its policy_sid.
 */
export const TRUST_POLICIES = {
  shakenStir: "RN7a97559effdf62d00f4298208492a5ea",
  cnam: "RNf3db3cd1fe25fcfd3c3ded065c8fea53",
  voiceIntegrity: "RN5b3660f9598883b1df4e77f77acefba0",
  primaryCustomerProfile: "RN6433641899984f951173ef1738c3bdd0",
  secondaryCustomerProfile: "RNdfbf3fae0e1107f8aded0e7cead80bf5",
} as const;

/** trust_product_enum_status / customer_profile_enum_status. */
export type TrustStatus = "draft" | "pending-review" | "in-review" | "twilio-rejected" | "twilio-approved";

export interface TrustAssignment {
  sid: string;
  channelEndpointSid: string;
  channelEndpointType: "phone-number";
  created: Date;
}

export interface SimTrustBundle {
  sid: string;
  kind: "customer-profile" | "trust-product";
  accountSid: string;
  policySid: string;
  friendlyName: string;
  status: TrustStatus;
  email: string;
  statusCallback: string | null;
  validUntil: Date | null;
  created: Date;
  updated: Date;
  assignments: Map<string, TrustAssignment>;
}

export interface TrustBundleInput {
  /** A TRUST_POLICIES name or a policy SID. */
  policy: keyof typeof TRUST_POLICIES | string;
  friendlyName?: string;
  status?: TrustStatus;
  email?: string;
  /** E.164 numbers of the account to assign (each must be on the account). */
  phoneNumbers?: string[];
}

/** Adds a Customer Profile or Trust Product to the account, with its numbers assigned. */
export function addTrustBundle(
  ctx: SimContext,
  account: SimAccount,
  kind: SimTrustBundle["kind"],
  input: TrustBundleInput,
): SimTrustBundle {
  const policySid = TRUST_POLICIES[input.policy as keyof typeof TRUST_POLICIES] ?? input.policy;
  const bundle: SimTrustBundle = {
    sid: randomSid("BU"),
    kind,
    accountSid: account.sid,
    policySid,
    friendlyName: input.friendlyName ?? `${input.policy} ${kind}`,
    status: input.status ?? "draft",
    email: input.email ?? "compliance@example.com",
    statusCallback: null,
    validUntil: null,
    created: new Date(),
    updated: new Date(),
    assignments: new Map(),
  };
  ctx.trustBundles.set(bundle.sid, bundle);
  for (const number of input.phoneNumbers ?? []) assignNumber(account, bundle, number);
  return bundle;
}

/** Assigns one of the account's numbers to the bundle (a phone-number ChannelEndpointAssignment). */
export function assignNumber(account: SimAccount, bundle: SimTrustBundle, phoneNumber: string): TrustAssignment {
  if (!account.numbers.has(phoneNumber)) throw new Error(`${phoneNumber} is not a number on account ${account.sid}`);
  const assignment: TrustAssignment = {
    sid: randomSid("RA"),
    channelEndpointSid: numberSid(phoneNumber),
    channelEndpointType: "phone-number",
    created: new Date(),
  };
  bundle.assignments.set(assignment.sid, assignment);
  bundle.updated = new Date();
  return assignment;
}

/** A released number leaves every bundle it was assigned to. */
export function unassignNumber(ctx: SimContext, accountSid: string, phoneNumberSid: string): void {
  for (const bundle of ctx.trustBundles.values()) {
    if (bundle.accountSid !== accountSid) continue;
    for (const [sid, assignment] of bundle.assignments) {
      if (assignment.channelEndpointSid === phoneNumberSid) bundle.assignments.delete(sid);
    }
  }
}

/** Trust Hub writes ISO 8601 dates without milliseconds ("2019-07-30T22:29:24Z"). */
const iso = (date: Date) => `${date.toISOString().slice(0, 19)}Z`;

const collection = (bundle: SimTrustBundle) => (bundle.kind === "trust-product" ? "TrustProducts" : "CustomerProfiles");

export function bundleJson(ctx: SimContext, bundle: SimTrustBundle): Json {
  const url = `${ctx.baseUrl}/v1/${collection(bundle)}/${bundle.sid}`;
  const prefix = bundle.kind === "trust-product" ? "trust_products" : "customer_profiles";
  return {
    sid: bundle.sid,
    account_sid: bundle.accountSid,
    policy_sid: bundle.policySid,
    friendly_name: bundle.friendlyName,
    status: bundle.status,
    email: bundle.email,
    status_callback: bundle.statusCallback,
    valid_until: bundle.validUntil ? iso(bundle.validUntil) : null,
    date_created: iso(bundle.created),
    date_updated: iso(bundle.updated),
    url,
    links: {
      [`${prefix}_entity_assignments`]: `${url}/EntityAssignments`,
      [`${prefix}_evaluations`]: `${url}/Evaluations`,
      [`${prefix}_channel_endpoint_assignment`]: `${url}/ChannelEndpointAssignments`,
    },
    errors: null,
  };
}

export function assignmentJson(ctx: SimContext, bundle: SimTrustBundle, assignment: TrustAssignment): Json {
  const owner = bundle.kind === "trust-product" ? "trust_product_sid" : "customer_profile_sid";
  return {
    sid: assignment.sid,
    [owner]: bundle.sid,
    account_sid: bundle.accountSid,
    channel_endpoint_sid: assignment.channelEndpointSid,
    channel_endpoint_type: assignment.channelEndpointType,
    date_created: iso(assignment.created),
    url: `${ctx.baseUrl}/v1/${collection(bundle)}/${bundle.sid}/ChannelEndpointAssignments/${assignment.sid}`,
  };
}
