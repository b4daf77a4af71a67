import { createHmac, timingSafeEqual } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { fubSignature } from "../../sandbox/fub/webhooks.js";
import { ConfigError, loadConfig } from "../../src/config.js";
import { crmFields } from "../../src/lib/ids.js";
import {
  type CrmCallLog,
  type CrmConnector,
  CrmError,
  type CrmPerson,
  type CrmProviderModule,
  type CrmTextLog,
} from "../../src/services/crm/connector.js";
import { CRM_PROVIDERS } from "../../src/services/crm/providers.js";
import { eventually, freshStart, startTestApp, type TestApp } from "../helpers/app.js";
import { forCall, reference } from "../helpers/callbacks.js";
import type { FakeAccount } from "../helpers/fake-twilio.js";
import { viewSubmission } from "../helpers/payloads.js";

// A second CRM is its adapter and one line in the registry: this test's "Tiny CRM" (an in-memory CRM,
// test-only) is added to the registry's list and, with no other change to src/, is configured from its
// own variable, connected with `/crm-setup tinycrm`, gets the workspace's finished calls through the
// outbox, and has its webhooks taken on /crm/tinycrm/webhook, while FUB's route refuses them.

const PUBLIC = "https://leadline.example.com";
const ADMIN = "U0ADMIN01";
const MARIA = "U0MARIA01";
const FROM = "+15005550006";
const TOKEN = "tiny-token-0123456789";
const SECRET = "tiny-webhook-secret-0123";
const FUB_SYSTEM_KEY = "leadline-system-key-0123456789";

/** Tiny CRM's records: what it was told, as a real CRM would keep it. */
const tiny = {
  people: [] as CrmPerson[],
  calls: [] as (CrmCallLog & { id: number })[],
  texts: [] as (CrmTextLog & { id: number })[],
  webhooks: [] as { url: string; event: string }[],
  nextId: 100,
};

const tinySignature = (raw: Buffer | string, secret: string) => createHmac("sha256", secret).update(raw).digest("hex");

function tinyConnector(apiKey: string): CrmConnector {
  /** Every request checks the token first, as the CRM would. */
  const authed = async <T>(answer: () => T): Promise<T> => {
    if (apiKey !== TOKEN) throw new CrmError({ kind: "unauthorized" }, "bad token", 401);
    return answer();
  };
  const id = () => {
    tiny.nextId += 1;
    return tiny.nextId;
  };
  return {
    identify: () => authed(() => ({ accountName: "Tiny Realty", userId: 1, userName: "Tina Owner", isOwner: true })),
    users: () => authed(() => [{ id: 7, name: "Maria Tiny", email: "maria@team.test" }]),
    findPersonByPhone: (phone) => authed(() => tiny.people.filter((p) => p.phones.includes(phone))),
    upsertPerson: (input) =>
      authed(() => {
        const person = {
          id: id(),
          name: input.name,
          phones: [input.phone],
          emails: [],
          assignedUserId: null,
          source: null,
        };
        tiny.people.push(person);
        return person;
      }),
    peopleAt: (uri) =>
      authed(() => {
        const ids = new URL(uri).searchParams.get("ids")?.split(",").map(Number) ?? [];
        return tiny.people.filter((p) => ids.includes(p.id));
      }),
    logCall: (call, remoteId) =>
      authed(() => {
        const known = tiny.calls.find((c) => c.id === remoteId);
        if (known) return Object.assign(known, call).id;
        const logged = { ...call, id: id() };
        tiny.calls.push(logged);
        return logged.id;
      }),
    findLoggedCall: (personId, marker) =>
      authed(() => tiny.calls.find((c) => c.personId === personId && c.note.includes(marker))?.id),
    logText: (text) =>
      authed(() => {
        const logged = { ...text, id: id() };
        tiny.texts.push(logged);
        return logged.id;
      }),
    findLoggedText: (personId, marker) =>
      authed(() => tiny.texts.find((t) => t.personId === personId && t.label.includes(marker))?.id),
    registerWebhooks: (url, events) =>
      authed(() =>
        events.map((event) => {
          tiny.webhooks.push({ url, event });
          return id();
        }),
      ),
  };
}

const webhook = z.object({ id: z.string(), type: z.string(), personIds: z.array(z.number().int()) });

/** The whole adapter: what a `hubspot.ts` would export, in a few lines. */
const tinyCrm: CrmProviderModule<{ secret: string }> = {
  id: "tinycrm",
  name: "Tiny CRM",
  env: z
    .object({ TINYCRM_WEBHOOK_SECRET: z.string().min(8, "must be Tiny CRM's webhook secret") })
    .transform((env) => ({ secret: env.TINYCRM_WEBHOOK_SECRET })),
  setup: { credential: { kind: "api-key", label: "access token", whereInCrm: "Settings → Tokens" } },
  create: (options) => ({
    id: "tinycrm",
    name: "Tiny CRM",
    peopleEvents: { created: "person.created", updated: "person.updated" },
    connect: (apiKey) => tinyConnector(apiKey),
    verifyWebhook(raw, headers) {
      const given = headers["x-tiny-signature"];
      if (typeof given !== "string" || !/^[0-9a-f]{64}$/.test(given)) return false;
      return timingSafeEqual(Buffer.from(given, "hex"), Buffer.from(tinySignature(raw, options.secret), "hex"));
    },
    parseWebhook(raw) {
      try {
        const body = webhook.parse(JSON.parse(raw.toString("utf8")));
        const uri = `https://tiny.example/people?ids=${body.personIds.join(",")}`;
        return { eventId: body.id, event: body.type, resourceIds: body.personIds, uri };
      } catch {
        return undefined;
      }
    },
  }),
};

/** The registry as a developer would leave it after adding Tiny CRM's line. */
const REGISTRY = [...CRM_PROVIDERS, tinyCrm];

let t: TestApp;
let account: FakeAccount;

beforeAll(async () => {
  t = await startTestApp({
    env: {
      PUBLIC_BASE_URL: PUBLIC,
      ADMIN_SLACK_USER_IDS: ADMIN,
      FUB_SYSTEM: "Leadline",
      FUB_SYSTEM_KEY,
      TINYCRM_WEBHOOK_SECRET: SECRET,
    },
    crmProviders: REGISTRY,
    crmEvery: "* * * * * *",
    crmBackoffMs: 50,
    crmLeaseMs: 5_000,
  });
  t.slack.users.set(MARIA, { id: MARIA, name: "maria", email: "maria@team.test" });
  account = await freshStart(t, { tables: [], from: FROM, agentPhone: "+12125550199", admin: ADMIN });
}, 60_000);

afterAll(async () => {
  await t?.stop();
});

const postTiny = (path: string, body: string, headers: Record<string, string>) =>
  fetch(`${t.url}${path}?ws=${t.ws}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });

describe("a second CRM added through the registry", () => {
  it("reads its settings from its own variable, naming it when it is missing", () => {
    const env = { ...t.env, TINYCRM_WEBHOOK_SECRET: undefined };
    expect(() => loadConfig(env, REGISTRY)).toThrow(ConfigError);
    expect(() => loadConfig(env, REGISTRY)).toThrow(/TINYCRM_WEBHOOK_SECRET/);
    expect(loadConfig(t.env, REGISTRY).crm.tinycrm).toEqual({ secret: SECRET });
  });

  it("is connected with /crm-setup tinycrm: its own form, its token checked, its webhooks on /crm/tinycrm/webhook", async () => {
    const before = t.slack.callsTo("views.open").length;
    expect((await t.command("/crm-setup", "tinycrm", ADMIN)).status).toBe(200);
    await eventually(() => t.slack.callsTo("views.open").length > before, "views.open");
    const view = [...t.slack.views.values()].at(-1)!;
    expect(JSON.stringify(view)).toContain("Tiny CRM access token");
    expect(JSON.stringify(view)).toContain("Settings → Tokens");
    expect(JSON.stringify(view)).not.toContain("Follow Up Boss");

    const wrong = await t.interact(viewSubmission(view, ADMIN, { [crmFields.apiKey]: "not-the-token-000" }));
    expect(await wrong.json()).toEqual({
      response_action: "errors",
      errors: { [crmFields.apiKey]: expect.stringContaining('Tiny CRM refused the API key: "bad token"') },
    });
    expect(await t.app.deps.db.crmConnection.count()).toBe(0);

    const res = await t.interact(viewSubmission(view, ADMIN, { [crmFields.apiKey]: TOKEN }));
    expect(await res.json()).toMatchObject({ response_action: "update" });
    expect(await t.app.deps.db.crmConnection.findUnique({ where: { workspaceId: t.ws } })).toMatchObject({
      provider: "tinycrm",
      accountName: "Tiny Realty",
    });
    expect(tiny.webhooks).toEqual([
      { url: `${PUBLIC}/crm/tinycrm/webhook?ws=${t.ws}`, event: "person.created" },
      { url: `${PUBLIC}/crm/tinycrm/webhook?ws=${t.ws}`, event: "person.updated" },
    ]);
    expect(await t.app.deps.crmSetup.status(t.ws, ADMIN)).toMatchObject({
      connected: true,
      provider: "Tiny CRM",
      users: [{ slackUserId: MARIA, crmUserId: 7 }],
    });
  });

  it("logs a finished call through the outbox into Tiny CRM, once, as the agent's Tiny CRM user", async () => {
    const phone = "+13125559001";
    const lead = await t.app.deps.leads.create(t.ws, { name: "Carl Caller", phone, author: "seed" });
    const call = await t.app.deps.db.call.create({
      data: {
        workspaceId: t.ws,
        leadId: lead.id,
        mode: "message",
        fromNumber: FROM,
        toNumber: phone,
        twilioSid: `CA${"9".repeat(32)}`,
        status: "in-progress",
        placedBy: MARIA,
        postState: "none",
      },
    });
    const finished = await t.signedTwilio(
      "/twilio/status",
      forCall(reference.completedHuman, { sid: call.twilioSid!, accountSid: account.sid, to: phone, from: FROM }),
      account.token,
    );
    expect(finished.status).toBe(204);
    await eventually(async () => (await t.app.deps.db.crmOutbox.findFirst())?.state === "sent", "the row sent");
    expect(tiny.calls).toHaveLength(1);
    expect(tiny.calls[0]).toMatchObject({ phone, isIncoming: false, userId: 7 });
    expect(tiny.calls[0]!.note).toContain(call.twilioSid!);
    expect(tiny.people.find((p) => p.id === tiny.calls[0]!.personId)).toMatchObject({ name: "Carl Caller" });
    await t.app.deps.crmSender.drain();
    expect(tiny.calls).toHaveLength(1);
  });

  it("takes Tiny CRM's signed webhook on /crm/tinycrm/webhook as a new lead, once; FUB's route and forgeries change nothing", async () => {
    tiny.people.push({
      id: 501,
      name: "Tess Tiny",
      phones: ["+13125559101"],
      emails: [],
      assignedUserId: 7,
      source: null,
    });
    const body = JSON.stringify({ id: "evt-1", type: "person.created", personIds: [501] });
    const leads = () => t.app.deps.db.lead.count({ where: { workspaceId: t.ws, phone: "+13125559101" } });

    // Forged, unknown CRM, and FUB's route (validly FUB-signed) for a workspace connected to Tiny CRM.
    expect((await postTiny("/crm/tinycrm/webhook", body, { "x-tiny-signature": "0".repeat(64) })).status).toBe(401);
    const unknown = await postTiny("/crm/nosuchcrm/webhook", body, {});
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: "unknown_crm" });
    const fubBody = JSON.stringify({
      eventId: "fub-evt-1",
      event: "peopleCreated",
      resourceIds: [501],
      uri: "https://api.followupboss.com/v1/people?id=501",
    });
    const viaFub = await postTiny("/crm/fub/webhook", fubBody, {
      "fub-signature": fubSignature(fubBody, FUB_SYSTEM_KEY),
    });
    expect(viaFub.status).toBe(404);
    expect(await viaFub.json()).toMatchObject({ error: "no CRM connected for this workspace" });
    expect(await leads()).toBe(0);

    const signed = { "x-tiny-signature": tinySignature(body, SECRET) };
    const res = await postTiny("/crm/tinycrm/webhook", body, signed);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ applied: 1 });
    const lead = await t.app.deps.db.lead.findFirst({ where: { workspaceId: t.ws, phone: "+13125559101" } });
    expect(lead).toMatchObject({ name: "Tess Tiny", ownerSlackId: MARIA });
    const card = await eventually(
      () => t.slack.callsTo("chat.postMessage").find((c) => JSON.stringify(c.args).includes("New lead from Tiny CRM")),
      "the lead card",
    );
    expect(JSON.stringify(card.args)).toContain("Tess Tiny");

    const replay = await postTiny("/crm/tinycrm/webhook", body, signed);
    expect(await replay.json()).toMatchObject({ status: 200, applied: 0, skipped: 1 });
    expect(await leads()).toBe(1);
  });
});
