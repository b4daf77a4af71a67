import { isDatabaseBusy } from "../../lib/errors.js";

/** Tries of a write that found SQLite's file held by another process (each waited up to the busy timeout). */
export const BUSY_TRIES = 8;

/**
 * SQLite: a write that found the file held longer than the busy timeout (many agents claiming at once,
 * from several processes), or a transaction whose snapshot another process's write made stale before it
 * wrote (SQLITE_BUSY_SNAPSHOT: the busy timeout cannot help), is tried again after a short random pause;
 * it changed nothing the first time (the transaction was rolled back whole).
 */
export async function retryBusy<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await run();
    } catch (error) {
      if (!isDatabaseBusy(error) || attempt >= BUSY_TRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
    }
  }
}
