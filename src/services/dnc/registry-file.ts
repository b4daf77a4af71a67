/**
 * Streaming reader for FTC National Do Not Call registry downloads.
 *
 * The FTC hands sellers one file per area code as zipped flat text: one 10-digit number a line, or
 * `NPA,NXXXXXX` lines (area code, comma, seven digits). We also tolerate what people produce when they
 * touch those files by hand: `1NPANXXXXXX`, `+1NPANXXXXXX`, `NPA-NXX-XXXX`, CRLF or CR line ends, a BOM,
 * blank lines, surrounding whitespace and a header line. The XML flavour of the download is refused
 * with a message saying to fetch the flat text one.
 *
 * Nothing is read whole: a plain file is read in chunks, a zip is inflated entry by entry with fflate's
 * streaming `Unzip` (fed 16 KiB at a time and parsed as it inflates, with the inflated bytes bounded
 * by ratio and in total, so a zip bomb is refused after a few MB), and numbers come out in batches so
 * the caller can write them as they arrive. A file that yields no number at all is refused.
 * Speed matters (a full registry is hundreds of MB), so lines are parsed in place with `charCodeAt`,
 * with no per-line regex or `split`; the only allocation for a good line is its E.164 string.
 */
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { Batcher, LineReader, type RegistryReadStats, snapshot } from "./registry-lines.js";
import { DEFAULT_MAX_INFLATED, readZip } from "./registry-zip.js";

export { parseRegistryLine, type RegistryReadStats } from "./registry-lines.js";

export interface ReadRegistryOptions {
  /** Numbers per yielded batch; default 10,000. Every batch but the last has exactly this many. */
  batchSize?: number;
  /** Called with a snapshot each time a batch fills, and once at the end. */
  onProgress?: (stats: RegistryReadStats) => void;
  /** Bytes per file read; default 256 KiB. Only worth changing in tests. */
  chunkSize?: number;
  /** A zip may inflate to at most this many bytes in all; default 8 GiB (the whole registry is about 3). */
  maxInflatedBytes?: number;
}

const DEFAULT_BATCH_SIZE = 10_000;
const DEFAULT_CHUNK_SIZE = 256 * 1024;
function noNumbersError(path: string, stats: RegistryReadStats): Error {
  const first = stats.firstBadLines[0];
  const example = first
    ? ` (line ${first.line}${first.entry ? ` of ${first.entry}` : ""}: ${JSON.stringify(first.text)})`
    : "";
  return new Error(
    `${path} has no phone numbers in it: ${stats.lines.toLocaleString("en-US")} lines read, none a US or Canadian number${example}. ` +
      "It is not a Do Not Call registry download (one 10-digit number a line, or NPA,NXXXXXX): check you picked the right file. Nothing was imported.",
  );
}

type FileKind = "text" | "zip";

async function sniffFile(path: string): Promise<FileKind> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    if (size === 0) {
      throw new Error(`${path} is empty (0 bytes). Download the Do Not Call list for your area codes again.`);
    }
    const head = new Uint8Array(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    // PK\x03\x04 starts a zip with entries; PK\x05\x06 is a zip with none.
    if (bytesRead === 4 && head[0] === 0x50 && head[1] === 0x4b) {
      if ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6)) return "zip";
    }
    if (bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
      throw new Error(`${path} is gzip-compressed. Decompress it first (gunzip) or use the .zip or .txt from the FTC.`);
    }
    return "text";
  } finally {
    await handle.close();
  }
}

// ---------------------------------------------------------------------------------------------------
// The reader

/**
 * Yields batches of E.164 numbers (`+1XXXXXXXXXX`) from a registry file path: plain text or a .zip
 * (detected by its magic bytes, not its name) holding one or more .txt/.csv entries. Returns the final
 * stats. Throws an Error worded for a person on an empty or binary file, XML, a file with no number
 * in it, a zip with no text entry, a damaged zip, or one that inflates like a zip bomb; bad lines are
 * counted and skipped, never thrown.
 */
export async function* readRegistryFile(
  path: string,
  options: ReadRegistryOptions = {},
): AsyncGenerator<string[], RegistryReadStats> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  }
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) {
    throw new RangeError(`chunkSize must be a positive integer, got ${chunkSize}`);
  }
  const kind = await sniffFile(path);
  const stats: RegistryReadStats = { lines: 0, numbers: 0, skipped: 0, firstBadLines: [] };
  const batcher = new Batcher(batchSize, stats, options.onProgress);
  const stream = createReadStream(path, { highWaterMark: chunkSize });
  let hadContent: boolean;
  try {
    if (kind === "zip") {
      const maxInflated = options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED;
      hadContent = yield* readZip(path, stream, batcher, stats, maxInflated);
    } else {
      const reader = new LineReader(batcher, stats, path, undefined);
      for await (const chunk of stream) {
        reader.write(chunk as Buffer, false);
        yield* batcher.take(false);
      }
      reader.write(new Uint8Array(0), true);
      hadContent = reader.hadContent;
    }
  } finally {
    stream.destroy();
  }
  if (!hadContent) {
    throw new Error(
      `${path} has no phone numbers in it (only blank lines). Download the Do Not Call list for your area codes again.`,
    );
  }
  if (stats.numbers === 0) throw noNumbersError(path, stats);
  yield* batcher.take(true);
  const result = snapshot(stats);
  options.onProgress?.(snapshot(stats));
  return result;
}
