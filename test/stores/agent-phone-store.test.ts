import { describe, expect, it } from "vitest";
import { createAgentPhoneStore } from "../../src/services/calls/agent-phone-store.js";
import { useStoreDb } from "./store-db.js";

// The agent phone store's promises (src/services/calls/agent-phone-store.ts): each agent's own phone,
// per workspace: set replaces, null removes, and one workspace never sees another's.

const db = useStoreDb();

describe("the agent phone store", () => {
  it("set, replace, remove; nothing for an agent who never set one", async () => {
    const { database, ws } = db();
    const phones = createAgentPhoneStore(database);
    expect(await phones.get(ws, "U0MARIA01")).toBeUndefined();
    await phones.set(ws, "U0MARIA01", "+12125550100");
    await phones.set(ws, "U0SAM0001", "+12125550101");
    expect(await phones.get(ws, "U0MARIA01")).toBe("+12125550100");
    await phones.set(ws, "U0MARIA01", "+12125550199");
    expect(await phones.get(ws, "U0MARIA01")).toBe("+12125550199");
    await phones.set(ws, "U0MARIA01", null);
    expect(await phones.get(ws, "U0MARIA01")).toBeUndefined();
    await phones.set(ws, "U0MARIA01", null);
    expect(await phones.get(ws, "U0SAM0001")).toBe("+12125550101");
  });

  it("per workspace: the same user id in another workspace is another agent", async () => {
    const { database, ws } = db();
    const other = await database.prisma.workspace.create({ data: { teamId: "T0OTHER01", enterpriseId: "" } });
    const phones = createAgentPhoneStore(database);
    await phones.set(ws, "U0MARIA01", "+12125550100");
    expect(await phones.get(other.id, "U0MARIA01")).toBeUndefined();
    await phones.set(other.id, "U0MARIA01", "+12125550177");
    await phones.set(other.id, "U0MARIA01", null);
    expect(await phones.get(ws, "U0MARIA01")).toBe("+12125550100");
  });
});
