import type { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import type Database from "better-sqlite3";

type SqlQuery = { sql: string };
type Transaction = {
  executeRaw(query: SqlQuery): Promise<number>;
  queryRaw(query: SqlQuery): Promise<unknown>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
};
type Adapter = { client: Database.Database; startTransaction(level?: string): Promise<Transaction> };

/**
 * Prisma's better-sqlite3 adapter holds a mutex for each transaction and frees it when Prisma says
 * commit or rollback. When COMMIT itself fails (SQLITE_FULL: the disk is full), Prisma reports the
 * error and says neither, so the mutex stayed taken and every later transaction waited for ever.
 * This wrapper rolls the failed transaction back and frees the mutex: the write fails, clearly, and
 * the next one works as soon as there is room again.
 */
export function recoveringAdapter(factory: PrismaBetterSQLite3): PrismaBetterSQLite3 {
  const connect = factory.connect.bind(factory);
  return Object.assign(Object.create(Object.getPrototypeOf(factory)), factory, {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connectToShadowDb: factory.connectToShadowDb.bind(factory),
    async connect() {
      const adapter = (await connect()) as unknown as Adapter;
      const start = adapter.startTransaction.bind(adapter);
      adapter.startTransaction = async (level?: string) => {
        const tx = await start(level);
        const guard =
          <T>(run: (query: SqlQuery) => Promise<T>) =>
          async (query: SqlQuery) => {
            try {
              return await run(query);
            } catch (error) {
              if (/^\s*COMMIT\b/i.test(query.sql)) {
                try {
                  if (adapter.client.inTransaction) adapter.client.exec("ROLLBACK");
                } catch {
                  // The connection will say what is wrong on its next statement.
                }
                await tx.rollback();
              }
              throw error;
            }
          };
        tx.executeRaw = guard(tx.executeRaw.bind(tx));
        tx.queryRaw = guard(tx.queryRaw.bind(tx));
        return tx;
      };
      return adapter as never;
    },
  });
}
