import { createHash } from "node:crypto";
import type { Leadline } from "../../src/app.js";
import type { Logger } from "../../src/lib/log.js";
import { type FubSimulator, startFubSimulator } from "./simulator.js";
import type { FubPerson } from "./store.js";

// The sandbox's Follow Up Boss: the simulator with Leadline registered as a system, an account owner
// and two agents who are the sandbox's Slack users (same emails, so /crm-setup matches them). The
// console's panel shows what FUB holds (people, the calls and texts Leadline logged, the webhooks FUB
// sent), connects it (as an admin's /crm-setup would) and adds a person "in FUB", which sends
// peopleCreated to Leadline as FUB does. Keys are the same on every run, so a connection stored in
// data/sandbox.db keeps working; FUB's records start empty on every run.

/** A fixed key per name: the same on every run, never a secret (the sandbox is on this machine only). */
const fixedKey = (name: string) =>
  createHash("sha256").update(`leadline sandbox fub ${name}`).digest("hex").slice(0, 36);

/** The sandbox's FUB users: the owner (whose key connects) and the Slack users as FUB agents. */
export const SANDBOX_FUB_USERS = [
  { name: "Sandbox Owner", email: "owner@sandbox.test", role: "Broker", isOwner: true },
  { name: "Maria Lopez", email: "maria@sandbox.test", role: "Broker", isOwner: false },
  { name: "Sam Chen", email: "sam@sandbox.test", role: "Agent", isOwner: false },
] as const;

type Answer = { ok: true; [key: string]: unknown } | { ok: false; error: string };

export interface SandboxFub {
  sim: FubSimulator;
  /** Leadline's environment for it: FUB_API_URL, FUB_SYSTEM, FUB_SYSTEM_KEY. */
  env: Record<string, string>;
  ownerKey: string;
  /** What FUB holds now: its people and the calls and texts Leadline logged, newest first. */
  view(): Record<string, unknown>;
  /** Reads whether Leadline holds a FUB connection (at start: one stored by an earlier run). */
  refresh(leadline: Leadline, ws: number, admin: string): Promise<void>;
  /** The console's POST /sandbox/fub: `{connect: true}` or `{person: {name, phone?, email?, source?, assignedUserId?}}`. */
  act(body: Record<string, unknown>, leadline: Leadline, ws: number, admin: string): Promise<Answer>;
}

const personView = (person: FubPerson) => ({
  id: person.id,
  name: person.name,
  phones: person.phones.map((p) => p.value),
  emails: person.emails.map((e) => e.value),
  source: person.source,
  assignedTo: person.assignedTo,
  created: person.created,
});

const text = (value: unknown) => (typeof value === "string" ? value.trim() : "");

export async function startSandboxFub(log: Logger, appUrl: () => string): Promise<SandboxFub> {
  const system = { name: "Leadline", key: fixedKey("system") };
  const sim = await startFubSimulator({ systems: [system], log });
  const users = SANDBOX_FUB_USERS.map((user) => sim.addUser({ ...user, apiKey: fixedKey(user.email) }));
  const owner = users[0]!;
  let connection: { account: string | null; webhooks: boolean } | undefined;
  const nameOf = (personId: number) => sim.people.get(personId)?.name ?? `person ${personId}`;
  const userName = (userId: number | null) => (userId === null ? null : (sim.store.users.get(userId)?.name ?? null));

  const refresh = async (leadline: Leadline, ws: number, admin: string) => {
    const status = await leadline.deps.crmSetup.status(ws, admin);
    connection = status.connected
      ? { account: status.accountName, webhooks: status.webhooksRegistered && !status.webhookError }
      : undefined;
  };

  const connect = async (leadline: Leadline, ws: number, admin: string): Promise<Answer> => {
    try {
      const connected = await leadline.deps.crmSetup.connect(ws, admin, owner.apiKey);
      // FUB was told Leadline's public address; in the sandbox that is this machine.
      for (const hook of sim.webhooks.values()) hook.url = `${appUrl()}/crm/fub/webhook?ws=${ws}`;
      await refresh(leadline, ws, admin);
      return { ok: true, account: connected.accountName, matched: connected.matched.length };
    } catch (error) {
      return { ok: false, error: (error as Error).message };
    }
  };

  const addPerson = (input: Record<string, unknown>): Answer => {
    const name = text(input.name);
    if (!name) return { ok: false, error: "A person in Follow Up Boss needs a name." };
    const phone = text(input.phone);
    const email = text(input.email);
    const assigned = Number(input.assignedUserId);
    // What someone typing into FUB's own "Add person" form does: FUB stores it and sends peopleCreated.
    const person = sim.addPerson({
      name,
      firstName: name.split(/\s+/)[0],
      lastName: name.split(/\s+/).slice(1).join(" "),
      source: text(input.source) || "Follow Up Boss",
      ...(phone ? { phones: [{ value: phone }] } : {}),
      ...(email ? { emails: [{ value: email }] } : {}),
      ...(sim.store.users.has(assigned) ? { assignedUserId: assigned } : {}),
    });
    return { ok: true, personId: person.id, webhook: sim.webhooks.size > 0 };
  };

  return {
    sim,
    env: { FUB_API_URL: sim.url, FUB_SYSTEM: system.name, FUB_SYSTEM_KEY: system.key },
    ownerKey: owner.apiKey,
    view: () => ({
      url: sim.url,
      apiKey: owner.apiKey,
      connected: Boolean(connection),
      account: connection?.account ?? null,
      webhooks: connection?.webhooks ?? false,
      users: users.map((u) => ({ id: u.id, name: u.name, email: u.email })),
      people: [...sim.people.values()].slice(-20).reverse().map(personView),
      calls: [...sim.calls.values()]
        .slice(-20)
        .reverse()
        .map((c) => ({ ...c, person: nameOf(c.personId), user: userName(c.userId) })),
      texts: [...sim.texts.values()]
        .slice(-20)
        .reverse()
        .map((t) => ({ ...t, person: nameOf(t.personId) })),
      requests: sim.requests.slice(-30).map((r) => ({ op: r.op, status: r.status, system: r.system })),
      deliveries: sim.deliveries
        .slice(-10)
        .reverse()
        .map((d) => ({ event: d.event, status: d.status, ids: d.resourceIds, at: d.at })),
    }),
    refresh,
    async act(body, leadline, ws, admin) {
      if (body.person && typeof body.person === "object") return addPerson(body.person as Record<string, unknown>);
      if (body.connect) return connect(leadline, ws, admin);
      return { ok: false, error: "Say what to do: connect, or add a person." };
    },
  };
}
