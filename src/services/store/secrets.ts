import type { PrismaClient } from "@prisma/client";
import { open, seal } from "../../lib/crypto.js";
import type { Keyring } from "./keyring.js";

type Tx = Pick<PrismaClient, "secret">;

export interface SecretStore {
  get(name: string): Promise<string | undefined>;
  getMany<N extends string>(names: readonly N[]): Promise<Partial<Record<N, string>>>;
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
      const result: Partial<Record<string, string>> = {};
      for (const row of rows) result[row.name] = decrypt(row);
      return result as Partial<Record<(typeof names)[number], string>>;
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
