/**
 * Zipped registry downloads: every .txt/.csv entry inflated with fflate's streaming `Unzip`, 16 KiB of
 * the zip at a time and parsed as it inflates, the inflated bytes bounded by ratio and in total.
 */
import { Unzip, type UnzipFile, UnzipInflate } from "fflate";
import { type Batcher, LineReader, type RegistryReadStats } from "./registry-lines.js";

/** Compressed bytes handed to the unzipper at once: deflate inflates at most ~1032:1, so ≤ 17 MB out. */
const ZIP_SLICE = 16 * 1024;
/**
 * Registry text deflates about 5:1 (measured on sorted 10-digit and NPA,NXXXXXX lines); a zip that
 * inflates past 100:1 is not one. Checked once 16 MiB have come out, so a small file never trips it.
 */
const MAX_ZIP_RATIO = 100;
const RATIO_CHECK_FROM = 16 * 1024 * 1024;
/** The default cap on what one zip inflates to: the whole national registry as text is about 3 GiB. */
export const DEFAULT_MAX_INFLATED = 8 * 1024 ** 3;

/** Whether a zip entry is a registry text file (not a folder, not macOS resource-fork junk). */
function isTextEntry(name: string): boolean {
  if (name.endsWith("/")) return false;
  const base = name.slice(name.lastIndexOf("/") + 1);
  if (name.startsWith("__MACOSX/") || base.startsWith("._")) return false;
  return /\.(txt|csv)$/i.test(base);
}

const SUPPORTED_ZIP_METHODS = new Set([0, 8]); // stored, deflate

/**
 * Yields the numbers of every .txt/.csv entry of the zip `stream` reads, in order; returns whether any
 * entry had content. Throws an Error worded for a person on a damaged zip, a text entry it cannot
 * inflate, no text entry, or one that inflates like a zip bomb or past `maxInflated` bytes.
 */
export async function* readZip(
  path: string,
  stream: AsyncIterable<unknown>,
  batcher: Batcher,
  stats: RegistryReadStats,
  maxInflated: number,
): AsyncGenerator<string[], boolean> {
  const unzip = new Unzip();
  unzip.register(UnzipInflate);
  const names: string[] = [];
  const readers: LineReader[] = [];
  // fflate delivers inflated data synchronously inside push(); queue it and parse after push() returns,
  // so our errors (XML, long lines) are not swallowed by fflate's own try/catch.
  const queue: { reader: LineReader; data: Uint8Array; final: boolean }[] = [];
  let failure: Error | undefined;
  // Every entry's inflated bytes (skipped ones too: inflating them is work all the same).
  const bounds = { compressed: 0, inflated: 0 };

  unzip.onfile = (file: UnzipFile) => {
    names.push(file.name);
    const supported = SUPPORTED_ZIP_METHODS.has(file.compression);
    if (!isTextEntry(file.name)) {
      // Inflate and drop it: an entry that is never started is buffered whole by fflate.
      if (supported) {
        file.ondata = (_err, data) => {
          bounds.inflated += data?.length ?? 0;
        };
        file.start();
      }
      return;
    }
    if (!supported) {
      failure ??= new Error(
        `${path}: entry "${file.name}" uses zip compression method ${file.compression}` +
          `${file.compression === 9 ? " (Deflate64)" : ""}, which Leadline cannot read. ` +
          "Unzip it and import the .txt file, or zip it again with standard compression.",
      );
      return;
    }
    const reader = new LineReader(batcher, stats, path, file.name);
    readers.push(reader);
    file.ondata = (err, data, final) => {
      if (err) {
        failure ??= damaged(path, `entry "${file.name}": ${err.message}`);
        return;
      }
      bounds.inflated += data.length;
      queue.push({ reader, data, final });
    };
    file.start();
  };

  // One slice in, what it inflated parsed at once: memory holds one slice's output, never the file's.
  const pushSlice = (slice: Uint8Array, final: boolean) => {
    try {
      unzip.push(slice, final);
    } catch (err) {
      throw damaged(path, err instanceof Error ? err.message : String(err));
    }
    bounds.compressed += slice.length;
    if (failure) throw failure;
    checkInflated(path, bounds, maxInflated);
    for (const item of queue) item.reader.write(item.data, item.final);
    queue.length = 0;
  };
  const push = (chunk: Uint8Array, final: boolean) => {
    if (chunk.length === 0) return pushSlice(chunk, final);
    for (let at = 0; at < chunk.length; at += ZIP_SLICE) {
      const end = Math.min(at + ZIP_SLICE, chunk.length);
      pushSlice(chunk.subarray(at, end), final && end === chunk.length);
    }
  };

  for await (const chunk of stream) {
    push(chunk as Buffer, false);
    yield* batcher.take(false);
  }
  push(new Uint8Array(0), true);

  if (readers.length === 0) throw noTextEntry(path, names);
  return readers.some((r) => r.hadContent);
}

/** Bytes for a person: 8 GB, 16.5 MB, 20 KB. */
function size(bytes: number): string {
  const [unit, scale] = bytes >= 1024 ** 3 ? ["GB", 1024 ** 3] : bytes >= 1024 ** 2 ? ["MB", 1024 ** 2] : ["KB", 1024];
  return `${(bytes / scale).toLocaleString("en-US", { maximumFractionDigits: 1 })} ${unit}`;
}

/** Refuses a zip that inflates far more than registry text does (a zip bomb), or past the total cap. */
function checkInflated(path: string, bounds: { compressed: number; inflated: number }, maxInflated: number): void {
  if (bounds.inflated > RATIO_CHECK_FROM && bounds.inflated > MAX_ZIP_RATIO * bounds.compressed) {
    throw new Error(
      `${path} unpacks to more than ${MAX_ZIP_RATIO} times its zipped size (${size(bounds.inflated)} from the first ` +
        `${size(bounds.compressed)}), which no Do Not Call registry file does (they unpack to about 5 times): ` +
        "it looks like a zip bomb, so Leadline stopped reading it. Download the registry again from the FTC.",
    );
  }
  if (bounds.inflated > maxInflated) {
    throw new Error(
      `${path} unpacks to more than ${size(maxInflated)}, more than the whole national registry as text, so Leadline ` +
        "stopped reading it. Import the area codes you call in smaller files.",
    );
  }
}

function damaged(path: string, detail: string): Error {
  return new Error(
    `${path} looks like a zip file but could not be read (${detail}); it may be truncated or damaged. Download it again.`,
  );
}

function noTextEntry(path: string, names: string[]): Error {
  if (names.length === 0) {
    return new Error(`${path} is an empty zip file. Download the Do Not Call list for your area codes again.`);
  }
  const listed = names.slice(0, 5).join(", ") + (names.length > 5 ? `, and ${names.length - 5} more` : "");
  if (names.some((n) => n === "[Content_Types].xml")) {
    return new Error(
      `${path} is an Office document (for example an Excel workbook), not a registry download (it holds ${listed}). ` +
        "Save it as CSV or plain text with one phone number a line and import that.",
    );
  }
  if (names.some((n) => /\.xml$/i.test(n))) {
    return new Error(
      `${path} holds XML (${listed}), not the flat text version of the FTC Do Not Call download. ` +
        "Download the area codes again choosing the text format.",
    );
  }
  return new Error(
    `${path} is a zip with no .txt or .csv file in it (it holds ${listed}). ` +
      "Leadline needs the flat text Do Not Call download: one number a line, or NPA,NXXXXXX.",
  );
}
