import { type RegistryReadStats, readRegistryFile } from "../dnc/registry-file.js";
import type { ComplianceStore } from "./compliance-store.js";

export interface RegistryImportResult {
  importId: number;
  stats: RegistryReadStats;
  /** Numbers that were not on the list yet. */
  added: number;
  seconds: number;
}

/**
 * Imports an FTC registry download (plain or zipped) into the workspace's do-not-call list, in batches
 * as the file is read: memory stays flat whatever the file's size. The import row records when the
 * registry copy was fetched (its age is what the 31-day rule is about) and how many numbers it held.
 */
export async function importRegistry(deps: {
  store: ComplianceStore;
  ws: number;
  file: string;
  fetchedAt: Date;
  now: () => Date;
  onProgress?: (progress: { numbers: number; added: number }) => void;
}): Promise<RegistryImportResult> {
  const started = Date.now();
  const record = await deps.store.startImport(deps.ws, deps.file.split(/[\\/]/).at(-1) ?? deps.file, deps.fetchedAt);
  let added = 0;
  const reader = readRegistryFile(deps.file, { batchSize: 20_000 });
  let next = await reader.next();
  let numbers = 0;
  while (!next.done) {
    added += await deps.store.importBatch(deps.ws, record.id, next.value, deps.now());
    numbers += next.value.length;
    deps.onProgress?.({ numbers, added });
    next = await reader.next();
  }
  const stats = next.value;
  await deps.store.finishImport(record.id, stats.numbers);
  return { importId: record.id, stats, added, seconds: (Date.now() - started) / 1000 };
}
