import { describe, expect, it } from "vitest";
import { queryWords, searchForm, searchTextOf } from "../../src/services/leads/lead-service.js";
import { createLeadStore, type LeadRow } from "../../src/services/leads/lead-store.js";
import { at, useStoreDb } from "./store-db.js";

// The lead store's promises (src/services/leads/lead-rows.ts), one contract for two engine-specific
// searches (FTS5 trigram on SQLite, pg_trgm on PostgreSQL): leads whose name, email or source hold every
// word as a substring (short words and LIKE's own characters included), newest first, with how many there
// are; one lead per phone in a workspace (10 creates at once make one); a phone change only over the
// phone the changer saw; everything scoped to its workspace.

const db = useStoreDb();

const row = (name: string, over: Partial<LeadRow> = {}): LeadRow => {
  const phone = over.phone === undefined ? null : over.phone;
  const email = over.email ?? null;
  const source = over.source ?? null;
  return {
    name,
    nameSearch: searchForm(name),
    searchText: searchTextOf({ name, email, source }),
    phone,
    phoneExt: null,
    phoneLast4: phone ? phone.slice(-4) : null,
    email,
    source,
    ...over,
  };
};

const created = async (result: unknown) => {
  expect(result).not.toHaveProperty("phoneTaken");
  return result as { id: number; name: string };
};

describe("the lead store", () => {
  it("search: every word a substring of name, email or source; newest first; the total beyond the page", async () => {
    const { database, ws } = db();
    const leads = createLeadStore(database);
    const jane = await created(await leads.create(ws, row("Jane O'Brien", { email: "jane@acme-realty.com" })));
    const janet = await created(await leads.create(ws, row("Janet Doe", { source: "Zillow 50% off" })));
    const bob = await created(await leads.create(ws, row("Bob Roe", { source: "open_house" })));
    await created(await leads.create(ws, row("Zoë Ångström")));
    const names = async (text: string, limit = 10) => {
      const found = await leads.byWords(ws, queryWords(text), limit);
      return { names: found.leads.map((l) => l.name), total: found.total };
    };
    // Newest first (creation order here): Janet after Jane.
    expect(await names("jan")).toEqual({ names: ["Janet Doe", "Jane O'Brien"], total: 2 });
    expect(await names("jane acme")).toEqual({ names: ["Jane O'Brien"], total: 1 });
    expect(await names("o'b")).toEqual({ names: ["Jane O'Brien"], total: 1 });
    // Short words (under a trigram) and LIKE's own characters are plain text.
    expect(await names("do")).toEqual({ names: ["Janet Doe"], total: 1 });
    expect(await names("50%")).toEqual({ names: ["Janet Doe"], total: 1 });
    expect(await names("n_h")).toEqual({ names: ["Bob Roe"], total: 1 });
    expect(await names("n%h")).toEqual({ names: [], total: 0 });
    // Accents folded on both sides.
    expect(await names("ZOE angstrom")).toEqual({ names: ["Zoë Ångström"], total: 1 });
    // A page shorter than the matches still says how many there are.
    expect(await names("e", 2)).toMatchObject({ total: 4 });
    expect((await names("e", 2)).names).toHaveLength(2);
    // An update moves a lead to the front.
    // The service hands the store the new search text with the new source.
    const change = {
      source: "referral",
      searchText: searchTextOf({ name: jane.name, email: "jane@acme-realty.com", source: "referral" }),
    };
    await leads.update(
      ws,
      jane.id,
      change,
      { author: "U0MARIA01", body: "source" },
      {
        actor: "U0MARIA01",
        action: "lead_update",
        detail: "{}",
      },
    );
    expect((await names("jan")).names).toEqual(["Jane O'Brien", "Janet Doe"]);
    expect(await names("acme referral")).toEqual({ names: ["Jane O'Brien"], total: 1 });
    expect(janet.id).toBeGreaterThan(jane.id);
    expect(bob.id).toBeGreaterThan(janet.id);
  });

  it("one lead per phone in a workspace: of 10 creates at once, one lead; the others are told which has it", async () => {
    const { database, ws } = db();
    const leads = createLeadStore(database);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => leads.create(ws, row(`Jane ${i}`, { phone: "+12125550182" }))),
    );
    const made = results.filter((r) => !("phoneTaken" in r)) as { id: number }[];
    expect(made).toHaveLength(1);
    for (const r of results.filter((r) => "phoneTaken" in r))
      expect(r).toMatchObject({ phoneTaken: { id: made[0]!.id, phone: "+12125550182" } });
    expect(await leads.byPhone(ws, "+12125550182")).toMatchObject({ id: made[0]!.id });
    expect((await leads.byLast4(ws, "0182", 10)).map((l) => l.id)).toEqual([made[0]!.id]);
    expect(await database.prisma.lead.count({ where: { workspaceId: ws } })).toBe(1);
  });

  it("scoped to the workspace: another workspace neither finds nor changes the lead", async () => {
    const { database, ws } = db();
    const other = await database.prisma.workspace.create({ data: { teamId: "T0OTHER01", enterpriseId: "" } });
    const leads = createLeadStore(database);
    const jane = await created(await leads.create(ws, row("Jane Doe", { phone: "+12125550182" })));
    // The same phone is another lead in another workspace.
    const theirs = await created(await leads.create(other.id, row("Jane Elsewhere", { phone: "+12125550182" })));
    expect(theirs.id).not.toBe(jane.id);
    expect(await leads.byId(other.id, jane.id)).toBeUndefined();
    expect(await leads.byPhone(other.id, "+12125550182")).toMatchObject({ id: theirs.id });
    expect((await leads.byWords(other.id, ["jane"], 10)).leads.map((l) => l.id)).toEqual([theirs.id]);
    expect(await leads.addNote(other.id, jane.id, "U0EVE0001", "hello")).toBeUndefined();
    expect(await leads.detail(other.id, jane.id)).toBeUndefined();
    expect((await leads.detail(ws, jane.id))?.notes).toEqual([]);
  });

  it("the last note comes with the lead", async () => {
    const { database, ws } = db();
    const leads = createLeadStore(database);
    const jane = await created(
      await leads.create(ws, row("Jane Doe", { phone: "+12125550182" }), { author: "U0MARIA01", body: "first" }),
    );
    await leads.addNote(ws, jane.id, "U0MARIA01", "second");
    expect((await leads.byId(ws, jane.id))?.lastNote?.body).toBe("second");
    expect((await leads.byPhone(ws, "+12125550182"))?.lastNote?.body).toBe("second");
    expect((await leads.recent(ws, 5))[0]?.lastNote?.body).toBe("second");
  });

  it("a phone changes only over the phone the changer saw; a taken phone is refused; a gone lead is missing", async () => {
    const { database, ws } = db();
    const leads = createLeadStore(database);
    const jane = await created(await leads.create(ws, row("Jane Doe", { phone: "+12125550182" })));
    await created(await leads.create(ws, row("Bob Roe", { phone: "+12125550199" })));
    const record = () => ({
      note: { author: "U0MARIA01", body: "[Phone] changed" },
      audit: { actor: "U0MARIA01", action: "lead_phone", detail: "{}" },
    });
    expect(await leads.setPhone(ws, jane.id, { e164: "+12125550100" }, "+12125550182", record)).toMatchObject({
      lead: { phone: "+12125550100", phoneLast4: "0100" },
      previous: "+12125550182",
    });
    // Someone who still saw the old number: stale, nothing written.
    expect(await leads.setPhone(ws, jane.id, { e164: "+12125550111" }, "+12125550182", record)).toMatchObject({
      stale: { phone: "+12125550100" },
    });
    expect(await leads.setPhone(ws, jane.id, { e164: "+12125550199" }, "+12125550100", record)).toMatchObject({
      phoneTaken: { name: "Bob Roe" },
    });
    expect(await leads.setPhone(ws, 987_654, { e164: "+12125550122" }, null, record)).toEqual({ missing: true });
    expect((await leads.byId(ws, jane.id))?.phone).toBe("+12125550100");
    expect(await database.prisma.note.count({ where: { leadId: jane.id } })).toBe(1);
    expect(await database.prisma.auditLog.count({ where: { workspaceId: ws, action: "lead_phone" } })).toBe(1);
  });

  it("a phone is marked wrong only while it is still the lead's phone", async () => {
    const { database, ws } = db();
    const leads = createLeadStore(database);
    const jane = await created(await leads.create(ws, row("Jane Doe", { phone: "+12125550182" })));
    const note = { author: "U0MARIA01", body: "[Phone] wrong" };
    expect(await leads.markPhoneWrong(ws, jane.id, "+12125550100", at(0), note)).toBe(false);
    expect(await leads.markPhoneWrong(ws, jane.id, "+12125550182", at(0), note)).toBe(true);
    expect(await database.prisma.note.count({ where: { leadId: jane.id } })).toBe(1);
  });
});
