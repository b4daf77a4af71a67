import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FubSimulator, startFubSimulator } from "../../sandbox/fub/simulator.js";
import type { FubUser } from "../../sandbox/fub/store.js";

// The simulated Follow Up Boss API (sandbox/fub): auth, identification, resources and permissions.
// Rate limits, faults and webhooks: fub-simulator-faults.test.ts.

const SYSTEM = { name: "Leadline", key: "system-key-0123456789" };

// biome-ignore lint/suspicious/noExplicitAny: the tests read JSON answers field by field.
type Json = Record<string, any>;

describe("the simulated Follow Up Boss API", () => {
  let sim: FubSimulator;
  let broker: FubUser;
  let agent: FubUser;
  let other: FubUser;

  beforeAll(async () => {
    sim = await startFubSimulator({ systems: [SYSTEM], autoEmit: false, archivedSources: ["Old Portal"] });
    broker = sim.addUser({ name: "Olivia Owner", email: "olivia@example.com", role: "Broker", isOwner: true });
    agent = sim.addUser({ name: "Alex Agent", email: "alex@example.com" });
    other = sim.addUser({ name: "Bea Agent", email: "bea@example.com" });
  });
  afterAll(() => sim.close());

  const basic = (user: string) => `Basic ${Buffer.from(user).toString("base64")}`;
  async function api(
    path: string,
    init: { method?: string; body?: unknown; key?: string; auth?: string; system?: typeof SYSTEM | null } = {},
  ) {
    const system = init.system === undefined ? SYSTEM : init.system;
    const res = await fetch(`${sim.url}${path}`, {
      method: init.method ?? "GET",
      headers: {
        authorization: init.auth ?? basic(`${init.key ?? broker.apiKey}:`),
        ...(system ? { "x-system": system.name, "x-system-key": system.key } : {}),
        ...(init.body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as Json };
  }
  const person = (body: Json, key = broker.apiKey, query = "") =>
    api(`/v1/people${query}`, { method: "POST", body, key });

  describe("authentication (HTTP Basic, the API key as user name)", () => {
    it("accepts the key with an empty or any password and says who it is", async () => {
      const identity = await api("/v1/identity");
      expect(identity.status).toBe(200);
      expect(identity.body.user).toEqual({ id: broker.id, name: "Olivia Owner", email: "olivia@example.com" });
      expect(identity.body.account.owner.id).toBe(broker.id);
      expect(JSON.stringify(identity.body)).not.toContain(broker.apiKey);
      const anyPassword = await api("/v1/me", { auth: basic(`${agent.apiKey}:x`) });
      expect(anyPassword.body).toMatchObject({ id: agent.id, role: "Agent" });
      expect(anyPassword.body.apiKey).toBeUndefined();
    });

    it("refuses a wrong key, a missing one, or a key sent as a bearer token, with FUB's errorMessage", async () => {
      for (const auth of [basic("not-a-key:"), "", `Bearer ${broker.apiKey}`]) {
        const refused = await api("/v1/identity", { auth });
        expect(refused.status).toBe(401);
        expect(refused.body.errorMessage).toMatch(/API key/);
        expect(refused.headers.get("x-ratelimit-limit")).toBeNull();
      }
    });
  });

  describe("identification (X-System, X-System-Key)", () => {
    it("gives a registered system the full limits and an unknown or mis-keyed one the lower ones", async () => {
      expect((await api("/v1/me")).headers.get("x-ratelimit-limit")).toBe("250");
      expect((await api("/v1/me", { system: null })).headers.get("x-ratelimit-limit")).toBe("125");
      const wrongKey = await api("/v1/me", { system: { name: SYSTEM.name, key: "guess" } });
      expect(wrongKey.headers.get("x-ratelimit-limit")).toBe("125");
      expect(sim.requests.at(-1)).toMatchObject({ system: "Leadline", registered: false });
    });

    it("keeps registered-only endpoints to registered systems", async () => {
      const jane = (await person({ firstName: "Tess", phones: [{ value: "+1 555 010 9999" }] })).body;
      const textBody = { personId: jane.id, message: "Hi Tess", toNumber: "+15550109999", fromNumber: "+15550100000" };
      const refused = await api("/v1/textMessages", { method: "POST", body: textBody, system: null });
      expect(refused.status).toBe(403);
      expect(refused.body.errorMessage).toMatch(/registered systems/);
      const logged = await api("/v1/textMessages", { method: "POST", body: textBody });
      expect(logged.status).toBe(201);
      expect(sim.texts.get(logged.body.id)).toMatchObject({
        message: "Hi Tess",
        isIncoming: false,
        system: "Leadline",
      });
      const missing = await api("/v1/textMessages", { method: "POST", body: { ...textBody, message: undefined } });
      expect(missing).toMatchObject({ status: 400, body: { errorMessage: "message is required." } });
    });
  });

  describe("users and people", () => {
    it("finds a user by email, and finds nobody for an unknown one", async () => {
      const found = await api("/v1/users?email=ALEX@example.com");
      expect(found.body.users.map((u: Json) => u.id)).toEqual([agent.id]);
      expect(found.body._metadata).toMatchObject({ collection: "users", total: 1, offset: 0, limit: 10 });
      expect((await api("/v1/users?email=nobody@example.com")).body.users).toEqual([]);
    });

    it("creates a person with phones, emails and an owner, and finds them by phone in any format", async () => {
      const created = await person({
        firstName: "Jane",
        lastName: "Doe",
        emails: [{ value: "jane@example.com" }],
        phones: [{ value: "(555) 010-1234" }],
        assignedUserId: agent.id,
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: "Jane Doe", assignedUserId: agent.id, assignedTo: "Alex Agent" });
      const found = await api(`/v1/people?phone=${encodeURIComponent("+15550101234")}`);
      expect(found.body.people.map((p: Json) => p.id)).toEqual([created.body.id]);
      expect((await api("/v1/people?phone=5550000000")).body.people).toEqual([]);
    });

    it("matches an existing person only when asked to deduplicate; otherwise two people share a phone", async () => {
      const first = await person({ firstName: "Sam", source: "Zillow", phones: [{ value: "+15550102000" }] });
      const again = await person(
        { firstName: "Samuel", phones: [{ value: "555-010-2000" }] },
        broker.apiKey,
        "?deduplicate=true",
      );
      expect(again).toMatchObject({ status: 200, body: { id: first.body.id, firstName: "Samuel", source: "Zillow" } });
      const renamed = await api(`/v1/people/${first.body.id}`, {
        method: "PUT",
        body: { lastName: "Lee", source: "Other" },
      });
      expect(renamed.body).toMatchObject({ name: "Samuel Lee", source: "Zillow" });
      const twin = await person({ firstName: "Sam's partner", phones: [{ value: "+15550102000" }] });
      expect(twin.status).toBe(201);
      expect((await api("/v1/people?phone=5550102000")).body.people).toHaveLength(2);
    });

    it("refuses a malformed person with an errorMessage", async () => {
      const bad = await person({ firstName: "No", phones: "555" });
      expect(bad.status).toBe(400);
      expect(bad.body.errorMessage).toMatch(/phones/);
    });

    it("shows an agent's key only the agent's people: another's person is a 403", async () => {
      const mine = (await person({ firstName: "Mine", phones: [{ value: "+15550103001" }], assignedUserId: agent.id }))
        .body;
      const theirs = (
        await person({ firstName: "Theirs", phones: [{ value: "+15550103001" }], assignedUserId: other.id })
      ).body;
      expect((await api(`/v1/people/${mine.id}`, { key: agent.apiKey })).status).toBe(200);
      const refused = await api(`/v1/people/${theirs.id}`, { key: agent.apiKey });
      expect(refused).toMatchObject({ status: 403, body: { errorMessage: expect.any(String) } });
      const search = await api("/v1/people?phone=5550103001", { key: agent.apiKey });
      expect(search.body.people.map((p: Json) => p.id)).toEqual([mine.id]);
      const call = { personId: theirs.id, phone: "+15550103001", isIncoming: false };
      expect((await api("/v1/calls", { method: "POST", body: call, key: agent.apiKey })).status).toBe(403);
      expect((await api(`/v1/people/999999`)).status).toBe(404);
    });
  });

  describe("calls", () => {
    let lead: Json;
    beforeAll(async () => {
      lead = (await person({ firstName: "Caller", phones: [{ value: "+15550104000" }], assignedUserId: agent.id }))
        .body;
    });
    const call = (body: Json, system: typeof SYSTEM | null = SYSTEM) =>
      api("/v1/calls", { method: "POST", body: { personId: lead.id, phone: "+15550104000", ...body }, system });

    it("logs a call with FUB's fields and lists it by person with paging", async () => {
      const logged = await call({
        isIncoming: false,
        outcome: "Left Message",
        note: "Left a voicemail",
        duration: 42,
        toNumber: "+15550104000",
        fromNumber: "+15550100000",
        recordingUrl: "https://example.com/rec.mp3",
        userId: agent.id,
      });
      expect(logged.status).toBe(201);
      expect(logged.body).toMatchObject({ personId: lead.id, userId: agent.id, outcome: "Left Message", duration: 42 });
      await call({ isIncoming: true, outcome: "Interested" });
      const listed = await api(`/v1/calls?personId=${lead.id}&limit=1`);
      expect(listed.body._metadata).toMatchObject({ collection: "calls", total: 2, limit: 1, offset: 0 });
      expect(listed.body.calls).toHaveLength(1);
      const next = await fetch(listed.body._metadata.nextLink, {
        headers: { authorization: basic(`${broker.apiKey}:`) },
      });
      expect(((await next.json()) as Json).calls[0].outcome).toBe("Interested");
      const body = { personId: lead.id, phone: "+15550104000", isIncoming: false, userId: broker.id };
      const asSomeoneElse = await api("/v1/calls", { method: "POST", body, key: agent.apiKey });
      expect(asSomeoneElse.body.userId).toBe(agent.id);
    });

    it("refuses a call without its required fields or with an outcome FUB does not know", async () => {
      expect((await call({ outcome: "Busy" })).body).toEqual({ errorMessage: "isIncoming is required." });
      const unknown = await call({ isIncoming: false, outcome: "Appointment set" });
      expect(unknown.status).toBe(400);
      expect(unknown.body.errorMessage).toContain("Allowed values: Interested, Not Interested");
      expect(
        (await api("/v1/calls", { method: "POST", body: { phone: "1", isIncoming: true } })).body.errorMessage,
      ).toBe("personId is required.");
    });

    it("updates a call's outcome in place, but only for the system that logged it", async () => {
      const logged = (await call({ isIncoming: false, outcome: "No Answer" })).body;
      const count = sim.calls.size;
      const updated = await api(`/v1/calls/${logged.id}`, { method: "PUT", body: { outcome: "Interested" } });
      expect(updated).toMatchObject({ status: 200, body: { id: logged.id, outcome: "Interested" } });
      expect(sim.calls.size).toBe(count);
      const foreign = await api(`/v1/calls/${logged.id}`, { method: "PUT", body: { outcome: "Busy" }, system: null });
      expect(foreign.status).toBe(403);
      expect(sim.calls.get(logged.id)?.outcome).toBe("Interested");
    });
  });

  describe("events (the lead path)", () => {
    it("creates a person for a new lead (201), reuses them for the next event (200), ignores an archived source (204)", async () => {
      const lead = { firstName: "Eve", emails: [{ value: "eve@example.com" }], phones: [{ value: "+15550105000" }] };
      const first = await api("/v1/events", {
        method: "POST",
        body: { type: "Registration", source: "Web", person: lead },
      });
      expect(first.status).toBe(201);
      const second = await api("/v1/events", {
        method: "POST",
        body: { type: "General Inquiry", source: "Web", person: { emails: [{ value: "EVE@example.com" }] } },
      });
      expect(second.status).toBe(200);
      expect(second.body.personId).toBe(first.body.personId);
      expect(second.headers.get("x-ratelimit-context")).toBe("POST.events");
      const unknownId = await api("/v1/events", {
        method: "POST",
        body: { type: "Registration", person: { id: 424242 } },
      });
      expect(unknownId.status).toBe(404);
      const archived = await api("/v1/events", {
        method: "POST",
        body: { type: "Registration", source: "Old Portal", person: lead },
      });
      expect(archived).toMatchObject({ status: 204, body: undefined });
    });
  });
});
