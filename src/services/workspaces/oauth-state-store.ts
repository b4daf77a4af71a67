import { createHash } from "node:crypto";
import { type DatabaseHandle, statements } from "../store/db.js";

/**
 * Slack OAuth install states already used (many-workspace mode). The state is a signed token that
 * any instance can check; this table makes each one work once, whichever instance sees it, by
 * keeping its hash until it would have expired anyway.
 */
export interface OAuthStateStore {
  /** True the first time `state` is claimed (on any instance); false ever after, until it expires. */
  claim(state: string, expiresAt: Date, now: Date): Promise<boolean>;
}

export function createOAuthStateStore(database: DatabaseHandle): OAuthStateStore {
  const sql = statements(database);
  return {
    async claim(state, expiresAt, now) {
      // Expired states can no longer be replayed (their signature check refuses them): forget them.
      await sql.write(`DELETE FROM "OAuthState" WHERE "expiresAt" < ?::timestamp(3)`, now);
      const hash = createHash("sha256").update(state).digest("hex");
      // One statement, so two instances claiming the same state at once cannot both win.
      const inserted = await sql.write(
        `INSERT INTO "OAuthState" ("hash", "expiresAt") VALUES (?, ?::timestamp(3)) ON CONFLICT ("hash") DO NOTHING`,
        hash,
        expiresAt,
      );
      return inserted === 1;
    },
  };
}
