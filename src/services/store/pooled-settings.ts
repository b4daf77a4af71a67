import type pg from "pg";

/**
 * One read on the pool in a read-only transaction of its own, under planner settings that hold for it
 * alone (`SET LOCAL …`): for a statement whose best plan the planner cannot see from its estimates.
 * Three round trips (BEGIN and the settings in one, the read, COMMIT). Dates go as UTC text, as `statements` sends them.
 */
export async function pooledWithSettings(
  pool: pg.Pool,
  settings: readonly string[],
  text: string,
  values: unknown[],
): Promise<pg.QueryResult> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(["BEGIN READ ONLY", ...settings.map((setting) => `SET LOCAL ${setting}`)].join("; "));
    try {
      const result = await client.query(
        text,
        values.map((value) => (value instanceof Date ? value.toISOString() : value)),
      );
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch((failed: Error) => {
        broken = failed;
      });
      throw error;
    }
  } finally {
    // A connection that could not roll back is not given to the next user.
    client.release(broken);
  }
}
