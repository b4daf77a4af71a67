import { describe, expect, it } from "vitest";
import { createOAuthStateStore } from "../../src/services/workspaces/oauth-state-store.js";
import { at, useStoreDb } from "./store-db.js";

// The OAuth state store's promise (src/services/workspaces/oauth-state-store.ts): an install state works
// once, on whichever instance sees it (of 10 claims at once, one wins), until it would have expired;
// expired states are forgotten.

const db = useStoreDb();

describe("the OAuth state store", () => {
  it("a state works once: of 10 claims at once one wins, and it stays used until it expires", async () => {
    const { database } = db();
    const states = createOAuthStateStore(database);
    const claims = await Promise.all(Array.from({ length: 10 }, () => states.claim("state-1", at(600_000), at(0))));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await states.claim("state-1", at(600_000), at(599_000))).toBe(false);
    // Another state is its own.
    expect(await states.claim("state-2", at(600_000), at(0))).toBe(true);
    // Stored as a hash, never as the state itself.
    const rows = await database.prisma.oAuthState.findMany();
    expect(rows).toHaveLength(2);
    expect(JSON.stringify(rows)).not.toContain("state-1");
  });

  it("expired states are forgotten (their signature check refuses them anyway)", async () => {
    const { database } = db();
    const states = createOAuthStateStore(database);
    expect(await states.claim("state-1", at(600_000), at(0))).toBe(true);
    expect(await states.claim("state-2", at(900_000), at(0))).toBe(true);
    expect(await states.claim("state-3", at(1_500_000), at(600_001))).toBe(true);
    const left = (await database.prisma.oAuthState.findMany()).map((r) => r.expiresAt.getTime());
    expect(left.sort((a, b) => a - b)).toEqual([at(900_000).getTime(), at(1_500_000).getTime()]);
  });
});
