import { randomBytes } from "node:crypto";

// The simulated Follow Up Boss account: its users (each with an API key), registered systems,
// people, calls, text messages, events and webhooks. Field names follow FUB's API reference
// (docs.followupboss.com/reference: people-post, calls-get, calls-id-put, textmessages-1, users-get,
// identity, events-post, webhooks-guide); see README.md for what is confirmed and what is chosen.

/** FUB maps every role to these three (users-get, "Role Mapping"); an owner is a Broker with isOwner. */
export type FubRole = "Broker" | "Agent" | "Lender";

export interface FubUser {
  id: number;
  name: string;
  firstName: string;
  lastName: string;
  email: string;
  role: FubRole;
  isOwner: boolean;
  /** "Every user in Follow Up Boss has a unique API Key" (reference/authentication). */
  apiKey: string;
}

/** A registered system: the X-System name and the X-System-Key FUB issued for it (reference/identification). */
export interface FubSystem {
  name: string;
  key: string;
}

export interface FubValue {
  value: string;
  type: string;
  isPrimary: boolean;
  status: string;
}

export interface FubPerson {
  id: number;
  created: string;
  updated: string;
  name: string;
  firstName: string;
  lastName: string;
  stage: string;
  source: string;
  assignedUserId: number | null;
  assignedTo: string | null;
  tags: string[];
  emails: FubValue[];
  phones: FubValue[];
}

/** The outcomes FUB accepts on a call (calls POST/PUT field `outcome`). */
export const CALL_OUTCOMES = [
  "Interested",
  "Not Interested",
  "Left Message",
  "No Answer",
  "Busy",
  "Bad Number",
] as const;

export interface FubCall {
  id: number;
  personId: number;
  userId: number;
  phone: string;
  isIncoming: boolean;
  outcome: string | null;
  note: string | null;
  duration: number;
  toNumber: string | null;
  fromNumber: string | null;
  recordingUrl: string | null;
  created: string;
  updated: string;
  /** The X-System that created it: only that system may update it (calls-id-put, "Update Access"). */
  system: string | null;
}

export interface FubText {
  id: number;
  personId: number;
  userId: number;
  message: string;
  toNumber: string;
  fromNumber: string;
  isIncoming: boolean;
  externalUrl: string | null;
  externalLabel: string | null;
  created: string;
  system: string | null;
}

export interface FubEvent {
  id: number;
  created: string;
  type: string;
  source: string | null;
  system: string | null;
  message: string | null;
  personId: number;
}

export interface FubWebhook {
  id: number;
  event: string;
  url: string;
  status: "Active";
  system: string;
}

export type PersonInput = Partial<Omit<FubPerson, "id" | "created" | "updated" | "emails" | "phones">> & {
  emails?: Array<Partial<FubValue> & { value: string }>;
  phones?: Array<Partial<FubValue> & { value: string }>;
};

const now = () => new Date().toISOString();

/** Digits only, a leading US country code dropped: how the simulator compares phone numbers. */
export function phoneKey(phone: string): string {
  const digits = phone.replace(/\D/g, "");
  return digits.length === 11 && digits.startsWith("1") ? digits.slice(1) : digits;
}

const values = (items: PersonInput["emails"], type: string): FubValue[] =>
  (items ?? []).map((item, index) => ({
    value: item.value,
    type: item.type ?? type,
    isPrimary: item.isPrimary ?? index === 0,
    status: item.status ?? "Not Validated",
  }));

export class FubStore {
  readonly users = new Map<number, FubUser>();
  readonly systems = new Map<string, FubSystem>();
  readonly people = new Map<number, FubPerson>();
  readonly calls = new Map<number, FubCall>();
  readonly texts = new Map<number, FubText>();
  readonly events = new Map<number, FubEvent>();
  readonly webhooks = new Map<number, FubWebhook>();
  readonly account = { id: 1_000_001, domain: "sandbox", name: "Sandbox Realty" };
  private nextId = { user: 1, person: 101, call: 5001, text: 7001, event: 9001, webhook: 1 };

  addUser(input: Partial<FubUser> & { email: string }): FubUser {
    const name = input.name ?? input.email.split("@")[0]!;
    const [firstName = name, ...rest] = name.split(" ");
    const user: FubUser = {
      id: input.id ?? this.nextId.user++,
      name,
      firstName: input.firstName ?? firstName,
      lastName: input.lastName ?? rest.join(" "),
      email: input.email,
      role: input.role ?? "Agent",
      isOwner: input.isOwner ?? false,
      apiKey: input.apiKey ?? randomBytes(18).toString("hex"),
    };
    this.users.set(user.id, user);
    return user;
  }

  userByKey(apiKey: string): FubUser | undefined {
    return [...this.users.values()].find((user) => user.apiKey === apiKey);
  }

  /** A Broker (or the owner) sees everyone; an agent sees only the people assigned to them (reference/authentication). */
  canSee(user: FubUser, person: FubPerson): boolean {
    return user.role === "Broker" || person.assignedUserId === user.id;
  }

  createPerson(input: PersonInput): FubPerson {
    const firstName = input.firstName ?? "";
    const lastName = input.lastName ?? "";
    const assigned = input.assignedUserId == null ? undefined : this.users.get(input.assignedUserId);
    const person: FubPerson = {
      id: this.nextId.person++,
      created: now(),
      updated: now(),
      name: input.name ?? `${firstName} ${lastName}`.trim(),
      firstName,
      lastName,
      stage: input.stage ?? "Lead",
      source: input.source ?? "<unspecified>",
      assignedUserId: assigned?.id ?? null,
      assignedTo: assigned?.name ?? null,
      tags: input.tags ?? [],
      emails: values(input.emails, "home"),
      phones: values(input.phones, "mobile"),
    };
    this.people.set(person.id, person);
    return person;
  }

  updatePerson(person: FubPerson, patch: PersonInput): FubPerson {
    const { emails, phones, assignedUserId, ...fields } = patch;
    const rest = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as PersonInput;
    Object.assign(person, rest, { updated: now() });
    if (emails) person.emails = values(emails, "home");
    if (phones) person.phones = values(phones, "mobile");
    if (assignedUserId !== undefined) {
      const assigned = assignedUserId === null ? undefined : this.users.get(assignedUserId);
      person.assignedUserId = assigned?.id ?? null;
      person.assignedTo = assigned?.name ?? null;
    }
    if (rest.firstName !== undefined || rest.lastName !== undefined) {
      person.name = patch.name ?? `${person.firstName} ${person.lastName}`.trim();
    }
    return person;
  }

  peopleByPhone(phone: string): FubPerson[] {
    const key = phoneKey(phone);
    return [...this.people.values()].filter((person) => person.phones.some((p) => phoneKey(p.value) === key));
  }

  /** The person an email or phone already belongs to: how POST /v1/events (and people?deduplicate=true) match. */
  findDuplicate(input: PersonInput): FubPerson | undefined {
    const emails = new Set((input.emails ?? []).map((e) => e.value.toLowerCase()));
    const phones = new Set((input.phones ?? []).map((p) => phoneKey(p.value)));
    return [...this.people.values()].find(
      (person) =>
        person.emails.some((e) => emails.has(e.value.toLowerCase())) ||
        person.phones.some((p) => phones.has(phoneKey(p.value))),
    );
  }

  addCall(fields: Omit<FubCall, "id" | "created" | "updated">): FubCall {
    const call: FubCall = { id: this.nextId.call++, created: now(), updated: now(), ...fields };
    this.calls.set(call.id, call);
    return call;
  }

  addText(fields: Omit<FubText, "id" | "created">): FubText {
    const text: FubText = { id: this.nextId.text++, created: now(), ...fields };
    this.texts.set(text.id, text);
    return text;
  }

  addEvent(fields: Omit<FubEvent, "id" | "created">): FubEvent {
    const event: FubEvent = { id: this.nextId.event++, created: now(), ...fields };
    this.events.set(event.id, event);
    return event;
  }

  addWebhook(fields: Omit<FubWebhook, "id" | "status">): FubWebhook {
    const webhook: FubWebhook = { id: this.nextId.webhook++, status: "Active", ...fields };
    this.webhooks.set(webhook.id, webhook);
    return webhook;
  }
}
