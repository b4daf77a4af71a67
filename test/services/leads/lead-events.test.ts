import { describe, expect, it } from "vitest";
import type { LeadlineEvents } from "../../../src/lib/events.js";
import { createLeadService } from "../../../src/services/leads/lead-service.js";
import { createLeadStore } from "../../../src/services/leads/lead-store.js";
import { useStoreDb } from "../../stores/store-db.js";

// `lead.changed` is the one door for whoever follows a lead's details (the CRM, texts, the queue): the
// changes the lead service makes directly tell it once each; an edit is told by lead intake (which adds
// consent), so the service's edit tells nothing itself; a refused change tells nothing.

const db = useStoreDb();

function service() {
  const { database, ws } = db();
  const told: LeadlineEvents["lead.changed"][] = [];
  const leads = createLeadService({
    store: createLeadStore(database),
    defaultCountry: "US",
    events: {
      emit: (name, payload) => name === "lead.changed" && told.push(payload as LeadlineEvents["lead.changed"]),
    },
  });
  return { leads, told, ws };
}

describe("lead.changed from the lead service", () => {
  it("a phone set, an address set, a number marked wrong: each told once, with its fields and who", async () => {
    const { leads, told, ws } = service();
    const jane = await leads.create(ws, { name: "Jane Doe", phone: "(212) 555-0182", author: "U0MARIA01" });
    await leads.setPhone(ws, jane.id, "(212) 555-0100", "U0MARIA01", "+12125550182");
    await leads.setAddress(ws, jane.id, { state: "NY", zip: "10001" }, "U0MARIA01");
    expect(await leads.markPhoneWrong(ws, jane.id, "+12125550100", "U0SAM0001")).toBe(true);
    // Not the lead's number any more: nothing marked, nothing told.
    expect(await leads.markPhoneWrong(ws, jane.id, "+12125550182", "U0SAM0001")).toBe(false);
    expect(told).toEqual([
      { ws, leadId: jane.id, fields: ["phone"], by: "U0MARIA01" },
      { ws, leadId: jane.id, fields: ["state", "zip"], by: "U0MARIA01" },
      { ws, leadId: jane.id, fields: ["phoneWrong"], by: "U0SAM0001" },
    ]);
  });

  it("a refused change tells nothing; an edit is lead intake's to tell", async () => {
    const { leads, told, ws } = service();
    const jane = await leads.create(ws, { name: "Jane Doe", phone: "(212) 555-0182", author: "U0MARIA01" });
    await expect(leads.setPhone(ws, jane.id, "not a number", "U0MARIA01", "+12125550182")).rejects.toMatchObject({
      code: "phone_not_callable",
      data: { raw: "not a number" },
      field: "phone",
    });
    await expect(leads.setPhone(ws, jane.id, "(212) 555-0111", "U0MARIA01", "+12125550199")).rejects.toMatchObject({
      code: "stale_phone",
    });
    const edited = await leads.edit(
      ws,
      jane.id,
      { name: "Jane Roe", phone: "(212) 555-0133" },
      "U0MARIA01",
      "+12125550182",
    );
    expect(edited.changed.sort()).toEqual(["name", "phone"]);
    expect(told).toEqual([]);
  });
});
