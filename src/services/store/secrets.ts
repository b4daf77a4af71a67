import type { PrismaClient } from "@prisma/client";
import { type Clock, systemClock } from "../../lib/clock.js";
import { DecryptionError, open, seal } from "../../lib/crypto.js";
import type { Keyring } from "./keyring.js";

type Tx = Pick<PrismaClient, "secret">;

interface SecretRow {
  workspaceId: number;
  name: string;
  ciphertext: Uint8Array;
  iv: Uint8Array;
  authTag: Uint8Array;
  keyId: string;
  updatedBy: string;
}

/** A stored secret no configured key can open: its key was not given, or it fails authentication. */
export interface UnreadableSecret {
  id: number;
  workspaceId: number;
  name: string;
  keyId: string;
  updatedAt: Date;
  reason: "missing-key" | "fails-authentication";
}

/**
 * Secrets at rest (Twilio credentials, Slack tokens of installed workspaces, values held for a
 * moment): AES-256-GCM with a random IV, an auth tag and the key's id; the associated data binds the
 * ciphertext to its name and workspace, so a row copied to another name or workspace does not open.
 */
export interface SecretStore {
  get(ws: number, name: string): Promise<string | undefined>;
  /** The values that decrypt; a row that fails authentication (altered, or another key's) is named in `unreadable`. */
  getMany<N extends string>(
    ws: number,
    names: readonly N[],
  ): Promise<{ values: Partial<Record<N, string>>; unreadable: N[] }>;
  /** At start: which stored rows no configured key can open (their key ids), and which fail authentication. */
  check(): Promise<{ missingKeyIds: string[]; unreadable: string[]; total: number }>;
  /** Every row that cannot be decrypted with the keys given (`npm run secrets:forget`). */
  unreadableRows(): Promise<UnreadableSecret[]>;
  /** Deletes those rows, each only if it was not written again since it was read; returns how many. */
  forget(rows: readonly UnreadableSecret[]): Promise<number>;
  /** Writes every value (null deletes) in one transaction; `expiresAt` for values held only for a while. */
  setMany(
    ws: number,
    values: Record<string, string | null>,
    actor: string,
    options?: { tx?: Tx; expiresAt?: Date },
  ): Promise<void>;
  /** Deletes every secret of a workspace whose name starts with `prefix`; returns how many. */
  deletePrefix(ws: number, prefix: string, tx?: Tx): Promise<number>;
  /** Re-encrypts every row not under the current key; returns how many changed. */
  rotate(): Promise<{ reencrypted: number; total: number }>;
}

/** Associated data of a secret: its name, and its workspace for every workspace but the first. */
const aad = (ws: number, name: string) => (ws === 1 ? name : `${ws}:${name}`);

export function createSecretStore({
  db,
  keyring,
  clock = systemClock,
}: {
  db: PrismaClient;
  keyring: Keyring;
  clock?: Clock;
}): SecretStore {
  const decrypt = (row: SecretRow) =>
    open(
      {
        ciphertext: Buffer.from(row.ciphertext),
        iv: Buffer.from(row.iv),
        authTag: Buffer.from(row.authTag),
        keyId: row.keyId,
      },
      aad(row.workspaceId, row.name),
      keyring.all,
    );

  const write = async (tx: Tx, ws: number, name: string, value: string, actor: string, expiresAt?: Date) => {
    const sealed = seal(value, aad(ws, name), keyring.current);
    const data = {
      ciphertext: new Uint8Array(sealed.ciphertext),
      iv: new Uint8Array(sealed.iv),
      authTag: new Uint8Array(sealed.authTag),
      keyId: sealed.keyId,
      updatedBy: actor,
      expiresAt: expiresAt ?? null,
    };
    await tx.secret.upsert({
      where: { workspaceId_name: { workspaceId: ws, name } },
      create: { workspaceId: ws, name, ...data },
      update: data,
    });
  };

  /** Every stored row tried against the keys given: how many there are, and those that do not open. */
  const scan = async (): Promise<{ rows: number; unreadable: UnreadableSecret[] }> => {
    const rows = await db.secret.findMany({ orderBy: { id: "asc" } });
    const known = new Set(keyring.all.map((key) => key.id));
    const unreadable: UnreadableSecret[] = [];
    for (const row of rows) {
      const fields = {
        id: row.id,
        workspaceId: row.workspaceId,
        name: row.name,
        keyId: row.keyId,
        updatedAt: row.updatedAt,
      };
      if (!known.has(row.keyId)) {
        unreadable.push({ ...fields, reason: "missing-key" });
        continue;
      }
      try {
        decrypt(row);
      } catch (error) {
        if (!(error instanceof DecryptionError)) throw error;
        unreadable.push({ ...fields, reason: "fails-authentication" });
      }
    }
    return { rows: rows.length, unreadable };
  };

  const live = (ws: number, names: string[]) => ({
    workspaceId: ws,
    name: { in: names },
    OR: [{ expiresAt: null }, { expiresAt: { gt: clock.now() } }],
  });

  return {
    async get(ws, name) {
      const row = await db.secret.findFirst({ where: live(ws, [name]) });
      return row ? decrypt(row) : undefined;
    },
    async getMany(ws, names) {
      const rows = await db.secret.findMany({ where: live(ws, [...names]) });
      const values: Partial<Record<string, string>> = {};
      const unreadable: string[] = [];
      for (const row of rows) {
        try {
          values[row.name] = decrypt(row);
        } catch (error) {
          if (!(error instanceof DecryptionError)) throw error;
          unreadable.push(row.name);
        }
      }
      return { values, unreadable } as never;
    },
    async check() {
      // Expired rows are leftovers, not secrets anyone needs: they go, whatever key they were under.
      await db.secret.deleteMany({ where: { expiresAt: { lte: clock.now() } } });
      const { rows, unreadable } = await scan();
      const missingKeyIds = [
        ...new Set(unreadable.filter((row) => row.reason === "missing-key").map((row) => row.keyId)),
      ];
      return {
        missingKeyIds,
        unreadable: unreadable
          .filter((row) => row.reason === "fails-authentication")
          .map((row) => (row.workspaceId === 1 ? row.name : `${row.name} (workspace ${row.workspaceId})`)),
        total: rows,
      };
    },
    async unreadableRows() {
      return (await scan()).unreadable;
    },
    async forget(rows) {
      let deleted = 0;
      for (const row of rows) {
        // The same row as read (key and time): a value an admin re-entered since is kept.
        const result = await db.secret.deleteMany({
          where: { id: row.id, keyId: row.keyId, updatedAt: row.updatedAt },
        });
        deleted += result.count;
      }
      return deleted;
    },
    async setMany(ws, values, actor, options = {}) {
      const run = async (client: Tx) => {
        for (const [name, value] of Object.entries(values)) {
          if (value === null) await client.secret.deleteMany({ where: { workspaceId: ws, name } });
          else await write(client, ws, name, value, actor, options.expiresAt);
        }
      };
      if (options.tx) await run(options.tx);
      else await db.$transaction(async (client) => run(client));
    },
    async deletePrefix(ws, prefix, tx) {
      const result = await (tx ?? db).secret.deleteMany({ where: { workspaceId: ws, name: { startsWith: prefix } } });
      return result.count;
    },
    async rotate() {
      return db.$transaction(async (tx) => {
        const rows = await tx.secret.findMany();
        let reencrypted = 0;
        for (const row of rows) {
          if (row.keyId === keyring.current.id) continue;
          await write(tx, row.workspaceId, row.name, decrypt(row), row.updatedBy, row.expiresAt ?? undefined);
          reencrypted += 1;
        }
        return { reencrypted, total: rows.length };
      });
    },
  };
}
