import type { PrismaClient } from "@prisma/client";
import { DecryptionError, open, seal } from "../../lib/crypto.js";
import type { Keyring } from "./keyring.js";

type Tx = Pick<PrismaClient, "secret">;

export interface SecretStore {
  get(name: string): Promise<string | undefined>;
  /** The values that decrypt; a row that fails authentication (altered, or another key's) is named in `unreadable`. */
  getMany<N extends string>(names: readonly N[]): Promise<{ values: Partial<Record<N, string>>; unreadable: N[] }>;
  /** At start: which stored rows no configured key can open (their key ids), and which fail authentication. */
  check(): Promise<{ missingKeyIds: string[]; unreadable: string[]; total: number }>;
  /** Writes every value (null deletes) in one transaction. */
  setMany(values: Record<string, string | null>, actor: string, tx?: Tx): Promise<void>;
  /** Re-encrypts every row not under the current key; returns how many changed. */
  rotate(): Promise<{ reencrypted: number; total: number }>;
}

export function createSecretStore({ db, keyring }: { db: PrismaClient; keyring: Keyring }): SecretStore {
  const decrypt = (row: { name: string; ciphertext: Uint8Array; iv: Uint8Array; authTag: Uint8Array; keyId: string }) =>
    open(
      {
        ciphertext: Buffer.from(row.ciphertext),
        iv: Buffer.from(row.iv),
        authTag: Buffer.from(row.authTag),
        keyId: row.keyId,
      },
      row.name,
      keyring.all,
    );

  const write = async (tx: Tx, name: string, value: string, actor: string) => {
    const sealed = seal(value, name, keyring.current);
    const data = {
      ciphertext: new Uint8Array(sealed.ciphertext),
      iv: new Uint8Array(sealed.iv),
      authTag: new Uint8Array(sealed.authTag),
      keyId: sealed.keyId,
      updatedBy: actor,
    };
    await tx.secret.upsert({ where: { name }, create: { name, ...data }, update: data });
  };

  return {
    async get(name) {
      const row = await db.secret.findUnique({ where: { name } });
      return row ? decrypt(row) : undefined;
    },
    async getMany(names) {
      const rows = await db.secret.findMany({ where: { name: { in: [...names] } } });
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
      const rows = await db.secret.findMany();
      const known = new Set(keyring.all.map((key) => key.id));
      const missingKeyIds = [...new Set(rows.filter((row) => !known.has(row.keyId)).map((row) => row.keyId))];
      const unreadable: string[] = [];
      for (const row of rows) {
        if (!known.has(row.keyId)) continue;
        try {
          decrypt(row);
        } catch (error) {
          if (!(error instanceof DecryptionError)) throw error;
          unreadable.push(row.name);
        }
      }
      return { missingKeyIds, unreadable, total: rows.length };
    },
    async setMany(values, actor, tx) {
      const run = async (client: Tx) => {
        for (const [name, value] of Object.entries(values)) {
          if (value === null) await client.secret.deleteMany({ where: { name } });
          else await write(client, name, value, actor);
        }
      };
      if (tx) await run(tx);
      else await db.$transaction(async (client) => run(client));
    },
    async rotate() {
      return db.$transaction(async (tx) => {
        const rows = await tx.secret.findMany();
        let reencrypted = 0;
        for (const row of rows) {
          if (row.keyId === keyring.current.id) continue;
          await write(tx, row.name, decrypt(row), row.updatedBy);
          reencrypted += 1;
        }
        return { reencrypted, total: rows.length };
      });
    },
  };
}
