import { describe, expect, it } from "vitest";
import { createCallStore } from "../../src/services/calls/call-store.js";
import { createCallPostStore } from "../../src/services/calls/post-store.js";
import { at, newCall, useStoreDb } from "./store-db.js";

// The call post store's promises (src/services/calls/post-store.ts): a call's post (its Slack message)
// has one editor at a time across instances (a lease that only its owner lets go, that another may take
// once it ran out); `needs` tells from the row alone whether the post is to be sent, edited or left; the
// version shown only moves forward; the sweeps find posts a crash never sent and posts left behind
// with no live editor.

const db = useStoreDb();
const SID = (n: number) => `CA${String(n).repeat(32).slice(0, 32)}`;

async function aCall(n = 1, over: Parameters<typeof newCall>[2] = {}) {
  const { database, ws, lead } = db();
  const jane = await lead(`Jane ${n}`);
  const calls = createCallStore(database);
  const opened = await calls.open(newCall(ws, jane, { status: "queued", twilioSid: SID(n), ...over }));
  const id = (opened as { opened: { id: number } }).opened.id;
  return { id, lead: jane, calls, posts: createCallPostStore(database), database };
}

describe("the call post store", () => {
  it("one editor at a time: of 10 instances asking at once, one takes the lease; others wait until it runs out", async () => {
    const { id, posts } = await aCall();
    const taken = await Promise.all(
      Array.from({ length: 10 }, (_, i) => posts.takeLock(id, `instance-${i}`, at(30_000), at(0))),
    );
    expect(taken.filter(Boolean)).toHaveLength(1);
    const owner = `instance-${taken.indexOf(true)}`;
    // While it holds, nobody else (and not the holder again) takes it.
    expect(await posts.takeLock(id, "late", at(60_000), at(29_999))).toBe(false);
    // Once it ran out, another takes it.
    expect(await posts.takeLock(id, "late", at(90_000), at(30_001))).toBe(true);
    // The first owner letting go does not free the new owner's lease.
    await posts.releaseLock(id, owner);
    expect(await posts.takeLock(id, "third", at(120_000), at(30_002))).toBe(false);
    await posts.releaseLock(id, "late");
    expect(await posts.takeLock(id, "third", at(120_000), at(30_003))).toBe(true);
  });

  it("needs: a post first, then nothing until something changes, then an edit until the post shows it", async () => {
    const { id, posts, calls } = await aCall();
    expect(await posts.needs(id)).toBe("post");
    const call = await calls.byId(id);
    await posts.posted(id, { channel: "C0LEADS01", ts: "1760000000.000100" }, call!.postVersion);
    expect(await posts.needs(id)).toBe("nothing");
    await calls.markUnknown(id);
    expect(await posts.needs(id)).toBe("edit");
    const moved = await calls.byId(id);
    expect(moved).toMatchObject({ postState: "posted", slackChannel: "C0LEADS01", slackTs: "1760000000.000100" });
    await posts.shown(id, moved!.postVersion);
    expect(await posts.needs(id)).toBe("nothing");
    expect(await posts.needs(987_654)).toBe("nothing");
  });

  it("a post that could not go anywhere is never asked for again, nor edited", async () => {
    const { id, posts, calls } = await aCall();
    await posts.posted(id, undefined, 0);
    expect(await posts.needs(id)).toBe("nothing");
    await calls.markUnknown(id);
    expect(await posts.needs(id)).toBe("nothing");
    expect(await calls.byId(id)).toMatchObject({ postState: "none", slackTs: null });
    expect(await posts.unposted(new Date(Date.now() + 60_000))).toEqual([]);
  });

  it("the version shown only moves forward: a slow edit that finishes last does not move it back", async () => {
    const { id, posts, calls } = await aCall();
    await posts.posted(id, { channel: "C0LEADS01", ts: "1760000000.000100" }, 0);
    for (let i = 0; i < 3; i += 1) await calls.markUnknown(id);
    await posts.shown(id, 3);
    await posts.shown(id, 1);
    expect((await calls.byId(id))?.postShown).toBe(3);
  });

  it("post: the call with what its post shows (lead name, facts in order); undefined for no call", async () => {
    const { id, lead, posts, calls } = await aCall();
    await calls.addFact(id, "voicemail_left");
    await calls.addFact(id, "recording_in_thread");
    expect(await posts.post(id)).toMatchObject({
      id,
      lead: { id: lead.id, name: lead.name },
      facts: ["voicemail_left", "recording_in_thread"],
    });
    expect(await posts.post(987_654)).toBeUndefined();
  });

  it("unposted: placed calls (a SID) still waiting for their first post and older than the cut", async () => {
    const placed = await aCall(1);
    const posted = await aCall(2);
    await posted.posts.posted(posted.id, { channel: "C0LEADS01", ts: "1760000000.000200" }, 0);
    const { database, ws, lead } = db();
    const notPlaced = await createCallStore(database).open(newCall(ws, await lead("Never placed")));
    expect("opened" in notPlaced).toBe(true);
    expect(await placed.posts.unposted(new Date(Date.now() + 60_000))).toEqual([placed.id]);
    // Younger than the cut: the path that placed it may still be posting it.
    expect(await placed.posts.unposted(new Date(Date.now() - 60_000))).toEqual([]);
  });

  it("behind: posts showing an older version, changed since, with no live editor", async () => {
    const since = new Date(Date.now() - 60_000);
    const now = new Date(Date.now() + 60_000);
    const behind = await aCall(1);
    const current = await aCall(2);
    const edited = await aCall(3);
    const unposted = await aCall(4);
    for (const c of [behind, current, edited])
      await c.posts.posted(c.id, { channel: "C0LEADS01", ts: `1760000000.00000${c.id}` }, 0);
    for (const c of [behind, current, edited, unposted]) await c.calls.markUnknown(c.id);
    await current.posts.shown(current.id, 1);
    // An editor holds `edited` (its lease runs past now): it will catch up itself.
    expect(await edited.posts.takeLock(edited.id, "editor", new Date(now.getTime() + 30_000), now)).toBe(true);
    expect(await behind.posts.behind(since, now)).toEqual([behind.id]);
    // Its editor died: the lease ran out, and the post is found.
    expect((await behind.posts.behind(since, new Date(now.getTime() + 60_000))).sort()).toEqual(
      [behind.id, edited.id].sort(),
    );
    // Nothing changed since a later time: nothing is looked at.
    expect(await behind.posts.behind(new Date(Date.now() + 60_000), now)).toEqual([]);
  });
});
