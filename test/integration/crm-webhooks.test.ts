import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FubSimulator, startFubSimulator } from "../../sandbox/fub/simulator.js";
import { fubSignature } from "../../sandbox/fub/webhooks.js";
import { CHANNEL, eventually, freshStart, startTestApp, type TestApp } from "../helpers/app.js";
import { buttonClick } from "../helpers/payloads.js";

// Follow Up Boss → Leadline: peopleCreated/peopleUpdated webhooks, signed as FUB signs them, the people
// fetched from FUB, the leads made by the shared lead intake (owner from FUB's assigned user) and
// posted for speed to lead. Split batches and replays applied once; forged bodies change nothing.

const PUBLIC = "https://leadline.example.com";
const ADMIN = "U0ADMIN01";
const MARIA = "U0MARIA01";
const SYSTEM = "Leadline";
const SYSTEM_KEY = "leadline-system-key-0123456789";

let t: TestApp;
let fub: FubSimulator;
let mariaId = 0;

beforeAll(async () => {
  fub = await startFubSimulator({ systems: [{ name: SYSTEM, key: SYSTEM_KEY }] });
  const ownerKey = fub.addUser({
    name: "Olivia Owner",
    email: "olivia@team.test",
    role: "Broker",
    isOwner: true,
  }).apiKey;
  mariaId = fub.addUser({ name: "Maria Agent", email: "maria@team.test" }).id;
  t = await startTestApp({
    env: {
      PUBLIC_BASE_URL: PUBLIC,
      ADMIN_SLACK_USER_IDS: ADMIN,
      FUB_API_URL: fub.url,
      FUB_SYSTEM: SYSTEM,
      FUB_SYSTEM_KEY: SYSTEM_KEY,
    },
  });
  t.slack.users.set(MARIA, { id: MARIA, name: "maria", email: "maria@team.test" });
  await freshStart(t, { tables: [], from: "+15005550006", agentPhone: "+12125550199", admin: ADMIN });
  await t.app.deps.crmSetup.connect(t.ws, ADMIN, ownerKey);
  // FUB was told the public https address; the test's Leadline listens on 127.0.0.1.
  for (const hook of fub.webhooks.values()) hook.url = `${t.url}/crm/fub/webhook?ws=${t.ws}`;
}, 60_000);

afterAll(async () => {
  await t?.stop();
  await fub?.close();
});

const leadCount = () => t.app.deps.db.lead.count({ where: { workspaceId: t.ws } });
/** The lead cards naming `name` (not the speed-to-lead Claim message each new lead also gets). */
const cardsFor = (name: string) =>
  t.slack
    .callsTo("chat.postMessage")
    .filter((c) => JSON.stringify(c.args).includes(name) && !String(c.args.text).startsWith("Speed to lead"));
const leadOf = async (personId: number) => {
  const link = await t.app.deps.db.crmPerson.findFirst({ where: { workspaceId: t.ws, personId } });
  return link ? t.app.deps.db.lead.findUnique({ where: { id: link.leadId } }) : null;
};
const postRaw = (body: string, headers: Record<string, string>) =>
  fetch(`${t.url}/crm/fub/webhook?ws=${t.ws}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });

describe("Follow Up Boss webhooks", () => {
  it("a person created in FUB is a lead posted with a Call button within 2 s, owned by their FUB agent", async () => {
    const started = Date.now();
    const person = fub.addPerson({
      firstName: "Nina",
      lastName: "Newlead",
      phones: [{ value: "(312) 555-7001" }],
      emails: [{ value: "nina@example.com" }],
      assignedUserId: mariaId,
      source: "Zillow",
    });
    const card = await eventually(() => cardsFor("Nina Newlead")[0], "the lead card", 2_000);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(JSON.stringify(card.args)).toContain("New lead from Follow Up Boss");
    expect(JSON.stringify(card.args)).toContain("call_live");
    const lead = await leadOf(person.id);
    expect(lead).toMatchObject({
      name: "Nina Newlead",
      phone: "+13125557001",
      ownerSlackId: MARIA,
      email: "nina@example.com",
    });
    await fub.settled();
    expect(fub.deliveries.at(-1)).toMatchObject({ event: "peopleCreated", status: 200 });
  });

  it("a batch split across several requests is applied once, whether or not the parts share an event id", async () => {
    const people = Array.from({ length: 6 }, (_, i) =>
      fub.store.createPerson({ firstName: "Batch", lastName: `Person${i}`, phones: [{ value: `+1312555720${i}` }] }),
    );
    const ids = people.map((p) => p.id);
    const before = await leadCount();
    const parts = await fub.emit("peopleCreated", ids, { split: 2, eventIds: "same" });
    expect(parts).toHaveLength(3);
    expect(parts.map((d) => d.status)).toEqual([200, 200, 200]);
    expect(await leadCount()).toBe(before + 6);
    // The same change announced again (new event ids): the people are linked already, nothing is added.
    await fub.emit("peopleCreated", ids, { split: 4, eventIds: "distinct" });
    await t.app.deps.tasks.drain(5_000);
    expect(await leadCount()).toBe(before + 6);
    for (const i of [0, 5]) expect(cardsFor(`Batch Person${i}`)).toHaveLength(1);
    expect(await t.app.deps.db.crmPerson.count({ where: { personId: { in: ids } } })).toBe(6);
  });

  it("a replayed delivery changes nothing, even after the person changed in FUB", async () => {
    const person = fub.addPerson({ firstName: "Rhea", lastName: "Replay", phones: [{ value: "+13125557301" }] });
    await eventually(() => cardsFor("Rhea Replay")[0], "the lead card");
    await fub.settled();
    const delivery = fub.deliveries.find((d) => d.resourceIds.includes(person.id))!;
    fub.store.updatePerson(person, { firstName: "Renamed" });
    const before = await leadCount();
    const again = await fub.replay(delivery);
    expect(again.status).toBe(200);
    await t.app.deps.tasks.drain(5_000);
    expect(await leadCount()).toBe(before);
    expect((await leadOf(person.id))?.name).toBe("Rhea Replay");
    expect(cardsFor("Rhea Replay")).toHaveLength(1);
    // The real peopleUpdated is applied.
    await fub.emit("peopleUpdated", [person.id]);
    expect((await leadOf(person.id))?.name).toBe("Renamed Replay");
  });

  it("a forged, unsigned or oversized webhook is refused and changes nothing", async () => {
    const victim = fub.store.createPerson({
      firstName: "Fay",
      lastName: "Forged",
      phones: [{ value: "+13125557401" }],
    });
    const body = JSON.stringify({
      eventId: "forged-1",
      eventCreated: "2026-12-07T10:00:00+00:00",
      event: "peopleCreated",
      resourceIds: [victim.id],
      uri: `${fub.url}/v1/people?id=${victim.id}`,
    });
    const before = await leadCount();
    const asked = fub.requests.length;
    const wrong = await postRaw(body, { "fub-signature": fubSignature(body, "not-the-system-key-000") });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: "signature does not match" });
    expect((await postRaw(body, {})).status).toBe(401);
    // A body changed after signing.
    const signed = fubSignature(body, SYSTEM_KEY);
    expect((await postRaw(body.replace("forged-1", "forged-2"), { "fub-signature": signed })).status).toBe(401);
    const huge = JSON.stringify({ pad: "x".repeat(70 * 1024) });
    expect((await postRaw(huge, { "fub-signature": fubSignature(huge, SYSTEM_KEY) })).status).toBe(413);
    // An unknown workspace.
    const other = await fetch(`${t.url}/crm/fub/webhook?ws=999`, {
      method: "POST",
      body,
      headers: { "fub-signature": signed },
    });
    expect(other.status).toBe(404);
    expect(await leadCount()).toBe(before);
    expect(fub.requests.length).toBe(asked);
    expect(await leadOf(victim.id)).toBeNull();
  });

  it("bad people: no phone stored without one, another country's number stored and never dialled, one phone twice linked not merged", async () => {
    const noPhone = fub.addPerson({ firstName: "Ned", lastName: "Nophone", emails: [{ value: "ned@example.com" }] });
    const abroad = fub.addPerson({ firstName: "Ursula", lastName: "Abroad", phones: [{ value: "+44 20 7946 0958" }] });
    await eventually(async () => (await leadOf(noPhone.id)) && (await leadOf(abroad.id)), "both stored");
    expect(await leadOf(noPhone.id)).toMatchObject({ name: "Ned Nophone", phone: null, email: "ned@example.com" });
    // Stored as FUB has it; a call to it is refused before Twilio is asked (the team calls US and CA).
    const foreign = (await leadOf(abroad.id))!;
    expect(foreign.phone).toBe("+442079460958");
    const creates = t.twilio.requests.filter((r) => r.method === "POST").length;
    await t.interact(
      buttonClick({
        userId: MARIA,
        actionId: "call_live",
        value: String(foreign.id),
        channel: CHANNEL,
        responseUrl: t.slack.responseUrl(),
        ephemeral: true,
      }),
    );
    const refusal = await eventually(
      () => t.slack.responses.find((r) => JSON.stringify(r.body).includes("United Kingdom")),
      "the refusal",
    );
    expect(JSON.stringify(refusal.body)).not.toContain("ringing");
    await t.app.deps.tasks.drain(5_000);
    expect(t.twilio.requests.filter((r) => r.method === "POST").length).toBe(creates);

    const first = fub.addPerson({ firstName: "Twin", lastName: "One", phones: [{ value: "+13125557501" }] });
    await eventually(() => leadOf(first.id), "the first twin");
    const second = fub.addPerson({ firstName: "Twin", lastName: "Two", phones: [{ value: "(312) 555-7501" }] });
    await eventually(() => leadOf(second.id), "the second twin linked");
    const lead = (await leadOf(first.id))!;
    expect((await leadOf(second.id))!.id).toBe(lead.id);
    expect(await t.app.deps.db.lead.count({ where: { phone: "+13125557501" } })).toBe(1);
    const said = await t.app.deps.db.note.findMany({ where: { leadId: lead.id } });
    expect(said.map((n) => n.body).join("\n")).toContain(
      `Follow Up Boss people ${first.id}, ${second.id} share this phone; calls are logged on ${first.id}.`,
    );
    // Neither FUB person was changed or merged.
    expect(fub.people.get(first.id)?.firstName).toBe("Twin");
    expect(fub.people.get(second.id)?.lastName).toBe("Two");
  });

  it("when FUB cannot give the people, Leadline answers 503 so FUB delivers again, and nothing is stored", async () => {
    const person = fub.store.createPerson({
      firstName: "Paula",
      lastName: "Private",
      phones: [{ value: "+13125557601" }],
    });
    fub.faults.script("GET /v1/people", { kind: "server-error", status: 503 });
    const [down] = await fub.emit("peopleCreated", [person.id]);
    expect(down!.status).toBe(503);
    expect(await leadOf(person.id)).toBeNull();
    const [retried] = await fub.emit("peopleCreated", [person.id]);
    expect(retried!.status).toBe(200);
    expect(await leadOf(person.id)).not.toBeNull();
  });
});
