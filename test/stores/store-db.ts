import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Lead } from "@prisma/client";
import { afterEach, beforeEach } from "vitest";
import type { NewCall } from "../../src/services/calls/call-store.js";
import type { DatabaseHandle } from "../../src/services/store/db.js";
import { openTestDatabase } from "../helpers/app.js";

// The store contract suites (test/stores/*.test.ts): each store's promises, as tests, on the suite's
// engine (SQLite: a file of its own; LEADLINE_TEST_ENGINE=postgresql: a schema of its own), the same
// set-up as test/services/store and test/services/scheduling/claim.test.ts. `npm test` runs them on both.

export interface StoreDb {
  database: DatabaseHandle;
  ws: number;
  /** A lead of the workspace (a fresh phone number each). */
  lead(name?: string): Promise<Lead>;
}

/** A fresh, migrated database per test; `get()` inside a test gives it. */
export function useStoreDb(): () => StoreDb {
  let current: StoreDb | undefined;
  let close: (() => Promise<void>) | undefined;
  let dir: string | undefined;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "leadline-store-"));
    const opened = await openTestDatabase(dir);
    close = opened.close;
    let n = 0;
    current = {
      database: opened.database,
      ws: opened.ws,
      lead: (name = "Jane Doe") => {
        n += 1;
        const phone = `+1212555${String(100 + n).padStart(4, "0")}`;
        return opened.database.prisma.lead.create({
          data: { workspaceId: opened.ws, name, nameSearch: name.toLowerCase(), phone, phoneLast4: phone.slice(-4) },
        });
      },
    };
  });
  afterEach(async () => {
    await close?.();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return () => current!;
}

export const T0 = new Date("2026-11-24T19:00:00Z");
export const at = (ms: number) => new Date(T0.getTime() + ms);

/** A call as the call service opens it, for `lead`. */
export function newCall(ws: number, lead: Pick<Lead, "id" | "phone">, over: Partial<NewCall> = {}): NewCall {
  return {
    workspaceId: ws,
    lead,
    mode: "message",
    from: "+15005550006",
    to: lead.phone ?? "+12125550182",
    agentId: "U0MARIA01",
    status: "dialing",
    ...over,
  };
}
