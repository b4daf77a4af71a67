import type { z } from "zod";

/**
 * The CRM port: what Leadline asks of a team's CRM, whichever it is. Follow Up Boss is the first
 * adapter (fub.ts); another CRM is another file exporting a `CrmProviderModule`, listed in providers.ts.
 * Adapters speak the CRM's API and throw `CrmError`; they know nothing of Leadline's rows.
 */

/** A person (a contact, a lead) as the CRM holds it. */
export interface CrmPerson {
  id: number;
  name: string;
  /** Phone numbers as the CRM stored them (not normalised). */
  phones: string[];
  emails: string[];
  /** The CRM user the person is assigned to, if any. */
  assignedUserId: number | null;
  source: string | null;
}

/** A user of the CRM (an agent): matched to a Slack user by email. */
export interface CrmUserInfo {
  id: number;
  name: string;
  email: string;
}

/** Who an API key is: the account and its user. */
export interface CrmIdentity {
  accountName: string;
  userId: number;
  userName: string;
  /** The account owner (only the owner may register webhooks in FUB). */
  isOwner: boolean;
}

/** The CRM's own outcomes for a call (FUB's list; an adapter maps them to its CRM's). */
export type CrmCallOutcome = "Interested" | "Not Interested" | "Left Message" | "No Answer" | "Busy" | "Bad Number";

export interface CrmCallLog {
  personId: number;
  /** The lead's phone (the number dialled, or that called). */
  phone: string;
  isIncoming: boolean;
  outcome: CrmCallOutcome | null;
  /** Carries the Call SID: how a logged call is recognised when a send's answer was lost. */
  note: string;
  durationSec: number;
  fromNumber: string;
  toNumber: string;
  recordingUrl?: string;
  /** The CRM user who made the call (from the user map), when known. */
  userId?: number;
}

export interface CrmTextLog {
  personId: number;
  message: string;
  isIncoming: boolean;
  fromNumber: string;
  toNumber: string;
  /** Carries the Message SID (FUB: externalLabel): how a logged text is recognised when a send's answer was lost. */
  label: string;
}

/** A webhook as the CRM sent it: which resources changed and where to fetch them. */
export interface CrmWebhookEvent {
  eventId: string;
  event: string;
  resourceIds: number[];
  uri: string;
}

/** Why a CRM request failed, in the terms the outbox and setup act on. */
export type CrmFailure =
  /** 429: nothing was done; wait `retryAfterMs` before any request with this key. */
  | { kind: "rate-limited"; retryAfterMs: number }
  /** 5xx, a timeout, a dropped connection: the CRM may or may not have done it (`ambiguous`). */
  | { kind: "unavailable"; ambiguous: boolean }
  /** 401: the key is wrong or revoked. */
  | { kind: "unauthorized" }
  /** Any other 4xx: the CRM refused and will refuse again (bad data, no access). */
  | { kind: "refused" };

export class CrmError extends Error {
  constructor(
    readonly failure: CrmFailure,
    /** The CRM's own words (FUB's `errorMessage`), or what happened on the wire. */
    readonly crmMessage: string,
    readonly status?: number,
  ) {
    super(`CRM ${status ?? "request"} failed: ${crmMessage}`);
    this.name = "CrmError";
  }
}

/** What the CRM said about its rate limit on the last answer (FUB: X-RateLimit-Remaining / -Window). */
export interface RateInfo {
  remaining: number;
  windowMs: number;
}

/** One API key's view of the CRM. */
export interface CrmConnector {
  identify(): Promise<CrmIdentity>;
  users(): Promise<CrmUserInfo[]>;
  findPersonByPhone(phone: string): Promise<CrmPerson[]>;
  /** Creates the person (name, phone, owner); the caller looks by phone first. */
  upsertPerson(input: { name: string; phone: string; email?: string; assignedUserId?: number }): Promise<CrmPerson>;
  /** The people a webhook's `uri` names (only ones the key may see). */
  peopleAt(uri: string): Promise<CrmPerson[]>;
  /** Logs a call, or updates the call logged before (`remoteId`); returns the CRM's id. */
  logCall(call: CrmCallLog, remoteId?: number): Promise<number>;
  /** The id of a call already logged on this person whose note carries `marker` (a lost answer's call). */
  findLoggedCall(personId: number, marker: string): Promise<number | undefined>;
  logText(text: CrmTextLog): Promise<number>;
  /** The id of a text already logged on this person whose label or message carries `marker`. */
  findLoggedText(personId: number, marker: string): Promise<number | undefined>;
  /** Registers webhooks for `events` at `url`; returns their ids. */
  registerWebhooks(url: string, events: string[]): Promise<number[]>;
}

/** A CRM product: how to reach it with a key, and how to read what it sends. */
export interface CrmProvider {
  /** Stored with the connection: "fub". */
  readonly id: string;
  readonly name: string;
  connect(apiKey: string, observe?: (info: RateInfo) => void): CrmConnector;
  /** Whether a webhook's raw bytes and headers are the CRM's (signature as the CRM documents it). */
  verifyWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): boolean;
  /** The webhook's body, checked; undefined when it is not a webhook of this CRM. */
  parseWebhook(rawBody: Buffer): CrmWebhookEvent | undefined;
  /** The events Leadline registers for: new and changed people. */
  readonly peopleEvents: { created: string; updated: string };
}

/** What /crm-setup asks an admin for to connect this CRM (the form's words are the view's). */
export interface CrmSetupAsks {
  /** A key pasted into the form: what the CRM calls it and where in the CRM it is made. */
  credential: { kind: "api-key"; label: string; whereInCrm: string };
  /** Whose key may add webhooks, when only some may (FUB: "the account owner"). */
  webhooksNeed?: string;
}

/**
 * One CRM adapter, as the registry (providers.ts) lists it: adding a CRM is a file exporting one of
 * these and a line in the registry. Nothing else in Leadline names a CRM.
 */
export interface CrmProviderModule<Options = unknown> {
  /** Stored in `CrmConnection.provider` and the webhook path `/crm/<id>/webhook`: lower case, [a-z0-9-]. */
  readonly id: string;
  /** The CRM's name in words ("Follow Up Boss"). */
  readonly name: string;
  /** Its environment variables, read and checked at start with the rest (config.ts names any bad one). */
  readonly env: z.ZodType<Options>;
  readonly setup: CrmSetupAsks;
  /** The adapter, from its settings (`env`'s output) and the request timeout. */
  create(options: Options, runtime: { timeoutMs?: number }): CrmProvider;
}
