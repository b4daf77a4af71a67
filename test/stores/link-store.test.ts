import { describe, expect, it } from "vitest";
import { createBrowserLinkStore } from "../../src/services/calls/link-store.js";
import { at, useStoreDb } from "./store-db.js";

// The browser-call link store's promises (src/services/calls/link-store.ts): a link is used once (of
// many opening it at once, one gets it, with the page session it hands out); an expired, used or unknown
// link gives nothing; a link is found by its id and, once used, by its session.

const db = useStoreDb();

async function aLink(id: string, expiresAt = at(10 * 60_000)) {
  const { database, ws, lead } = db();
  const jane = await lead();
  const links = createBrowserLinkStore(database);
  await links.create({
    id,
    workspaceId: ws,
    slackUserId: "U0MARIA01",
    leadId: jane.id,
    channel: "C0LEADS01",
    threadTs: "1760000000.000100",
    expiresAt,
  });
  return { links, leadId: jane.id, ws };
}

describe("the browser-call link store", () => {
  it("a link is used once: of 10 opening it at once, one gets it with its session", async () => {
    const { links, leadId, ws } = await aLink("link-once");
    const claims = await Promise.all(
      Array.from({ length: 10 }, (_, i) => links.claim("link-once", at(0), `hash-${i}`, at(3_600_000))),
    );
    const won = claims.filter((claim) => claim !== undefined);
    expect(won).toHaveLength(1);
    const hash = won[0]!.sessionHash!;
    expect(won[0]).toMatchObject({
      id: "link-once",
      workspaceId: ws,
      leadId,
      slackUserId: "U0MARIA01",
      usedAt: at(0),
      sessionExpiresAt: at(3_600_000),
    });
    expect(await links.claim("link-once", at(1_000), "hash-late", at(3_600_000))).toBeUndefined();
    expect(await links.bySession(hash)).toMatchObject({ id: "link-once" });
    expect(await links.bySession("hash-late")).toBeUndefined();
  });

  it("an expired or unknown link gives nothing, and an expired one stays unused", async () => {
    const { links } = await aLink("link-old", at(60_000));
    expect(await links.claim("link-old", at(60_000), "hash-1", at(3_600_000))).toBeUndefined();
    expect(await links.claim("no-such-link", at(0), "hash-2", at(3_600_000))).toBeUndefined();
    expect(await links.byId("link-old")).toMatchObject({ usedAt: null, sessionHash: null });
    expect(await links.byId("no-such-link")).toBeUndefined();
    // Just before it runs out it still works.
    expect(await links.claim("link-old", at(59_999), "hash-3", at(3_600_000))).toMatchObject({ id: "link-old" });
  });
});
