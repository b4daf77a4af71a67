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
 * streaming `Unzip`, and numbers come out in batches so the caller can write them as they arrive.
 * Speed matters (a full registry is hundreds of MB), so lines are parsed in place with `charCodeAt`,
 * with no per-line regex or `split`; the only allocation for a good line is its E.164 string.
 */
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { Unzip, type UnzipFile, UnzipInflate } from "fflate";

export interface RegistryReadStats {
  /** Physical lines read (blank and header lines included), over all entries of a zip. */
  lines: number;
  /** Valid numbers found (and yielded). */
  numbers: number;
  /** Non-blank, non-header lines that are not a valid NANP number. */
  skipped: number;
  /** The first 10 skipped lines: 1-based line number (within its zip entry, if any) and trimmed text. */
  firstBadLines: { line: number; text: string; entry?: string }[];
}

export interface ReadRegistryOptions {
  /** Numbers per yielded batch; default 10,000. Every batch but the last has exactly this many. */
  batchSize?: number;
  /** Called with a snapshot each time a batch fills, and once at the end. */
  onProgress?: (stats: RegistryReadStats) => void;
  /** Bytes per file read; default 256 KiB. Only worth changing in tests. */
  chunkSize?: number;
}

const DEFAULT_BATCH_SIZE = 10_000;
const DEFAULT_CHUNK_SIZE = 256 * 1024;
const MAX_BAD_LINES = 10;
const MAX_BAD_TEXT = 80;
/** A line longer than this is not a registry file; stop before buffering a whole binary file. */
const MAX_LINE_CHARS = 64 * 1024;

// ---------------------------------------------------------------------------------------------------
// Line parsing

const CH_0 = 48;
const CH_1 = 49;
const CH_2 = 50;
const CH_PLUS = 43;
const CH_COMMA = 44;
const CH_DASH = 45;
const CH_LT = 60;

function isSpace(c: number): boolean {
  // space, \t \n \v \f \r, NBSP, BOM (a BOM can survive inside a file made by concatenating others)
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0xfeff;
}

/** Whether every char in [from, to) is an ASCII digit. */
function allDigits(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - CH_0;
    if (d < 0 || d > 9) return false;
  }
  return true;
}

/** NANP shape: the area code (at `npa`) and the exchange (at `nxx`) both start with 2-9. */
function nanpShape(text: string, npa: number, nxx: number): boolean {
  return text.charCodeAt(npa) >= CH_2 && text.charCodeAt(nxx) >= CH_2;
}

/**
 * Parses the already trimmed text between `start` and `end` into E.164, or undefined. The result is
 * built from slices of the input: that is about twice as fast as formatting a number back to a string.
 */
function e164Range(text: string, start: number, end: number): string | undefined {
  let digits = start; // where ten contiguous digits start, for the formats that have them
  switch (end - start) {
    case 10: // NPANXXXXXX
      break;
    case 11:
      if (text.charCodeAt(start + 3) === CH_COMMA) {
        // NPA,NXXXXXX
        if (!allDigits(text, start, start + 3) || !allDigits(text, start + 4, end)) return undefined;
        if (!nanpShape(text, start, start + 4)) return undefined;
        return `+1${text.slice(start, start + 3)}${text.slice(start + 4, end)}`;
      }
      if (text.charCodeAt(start) !== CH_1) return undefined; // 1NPANXXXXXX
      digits = start + 1;
      break;
    case 12:
      if (text.charCodeAt(start) === CH_PLUS) {
        if (text.charCodeAt(start + 1) !== CH_1) return undefined; // +1NPANXXXXXX
        digits = start + 2;
        break;
      }
      if (text.charCodeAt(start + 3) !== CH_DASH || text.charCodeAt(start + 7) !== CH_DASH) return undefined;
      // NPA-NXX-XXXX
      if (!allDigits(text, start, start + 3) || !allDigits(text, start + 4, start + 7)) return undefined;
      if (!allDigits(text, start + 8, end) || !nanpShape(text, start, start + 4)) return undefined;
      return `+1${text.slice(start, start + 3)}${text.slice(start + 4, start + 7)}${text.slice(start + 8, end)}`;
    default:
      return undefined;
  }
  if (!allDigits(text, digits, end) || !nanpShape(text, digits, digits + 3)) return undefined;
  return `+1${text.slice(digits, end)}`;
}

/**
 * Parses one registry line (any accepted format, surrounding whitespace allowed) into E.164
 * (`+1NPANXXXXXX`), or undefined when it is not a NANP-shaped number.
 */
export function parseRegistryLine(text: string): string | undefined {
  let start = 0;
  let end = text.length;
  while (start < end && isSpace(text.charCodeAt(start))) start++;
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
  return e164Range(text, start, end);
}

// ---------------------------------------------------------------------------------------------------
// Stream plumbing

function snapshot(stats: RegistryReadStats): RegistryReadStats {
  return { ...stats, firstBadLines: stats.firstBadLines.slice() };
}

/** Collects numbers into batches of exactly `size`; full batches wait in `ready` for the generator. */
class Batcher {
  batch: string[] = [];
  ready: string[][] = [];

  constructor(
    private readonly size: number,
    private readonly stats: RegistryReadStats,
    private readonly onProgress: ((stats: RegistryReadStats) => void) | undefined,
  ) {}

  add(number: string): void {
    this.stats.numbers++;
    this.batch.push(number);
    if (this.batch.length === this.size) {
      this.ready.push(this.batch);
      this.batch = [];
      this.onProgress?.(snapshot(this.stats));
    }
  }

  /** Takes the full batches (and, at the end, the partial one). */
  take(final: boolean): string[][] {
    const out = this.ready;
    this.ready = [];
    if (final && this.batch.length > 0) {
      out.push(this.batch);
      this.batch = [];
    }
    return out;
  }
}

/**
 * Turns the bytes of one file (or zip entry) into lines and numbers. Sniffs the encoding from the
 * first bytes (UTF-8, or UTF-16 with a BOM, as Windows "Unicode" saves), splits on LF, CRLF or CR.
 */
class LineReader {
  private decoder: TextDecoder | undefined;
  private head: Uint8Array | undefined;
  private carry = "";
  private lineNo = 0;
  private sawContent = false;
  /** Whether any non-blank line was seen, to tell an empty file from one with no valid numbers. */
  hadContent = false;

  constructor(
    private readonly batcher: Batcher,
    private readonly stats: RegistryReadStats,
    private readonly label: string,
    private readonly entry: string | undefined,
  ) {}

  write(bytes: Uint8Array, final: boolean): void {
    if (!this.decoder) {
      const data = this.head ? concat(this.head, bytes) : bytes;
      if (data.length < 2 && !final) {
        this.head = data.slice();
        return;
      }
      this.head = undefined;
      this.decoder = new TextDecoder(sniffEncoding(data));
      bytes = data;
    }
    this.text(this.decoder.decode(bytes, { stream: !final }), final);
  }

  private text(chunk: string, final: boolean): void {
    const buf = this.carry.length > 0 ? this.carry + chunk : chunk;
    const n = buf.length;
    let pos = 0;
    let lf = buf.indexOf("\n");
    let cr = buf.indexOf("\r");
    for (;;) {
      // Each indexOf is re-run only once the scan has passed its last hit, so a chunk is scanned
      // about once per kind of line end, not once per line.
      if (lf !== -1 && lf < pos) lf = buf.indexOf("\n", pos);
      if (cr !== -1 && cr < pos) cr = buf.indexOf("\r", pos);
      let end: number;
      if (lf === -1) {
        if (cr === -1) break;
        end = cr;
      } else {
        end = cr !== -1 && cr < lf ? cr : lf;
      }
      let next = end + 1;
      if (end === cr) {
        if (next === n) {
          if (!final) break; // a CR ending the chunk may be the first half of a CRLF
        } else if (buf.charCodeAt(next) === 10) {
          next++;
        }
      }
      this.line(buf, pos, end);
      pos = next;
    }
    if (final) {
      if (pos < n) this.line(buf, pos, n);
      this.carry = "";
    } else {
      this.carry = pos === 0 ? buf : buf.slice(pos);
      if (this.carry.length > MAX_LINE_CHARS) {
        throw new Error(
          `${this.where()} line ${this.lineNo + 1} runs past ${MAX_LINE_CHARS} characters without a line break, ` +
            "so this is not a Do Not Call registry text file (one phone number a line). Check you picked the right file.",
        );
      }
    }
  }

  private line(buf: string, start: number, end: number): void {
    this.stats.lines++;
    this.lineNo++;
    while (start < end && isSpace(buf.charCodeAt(start))) start++;
    while (end > start && isSpace(buf.charCodeAt(end - 1))) end--;
    if (start === end) return;
    const number = e164Range(buf, start, end);
    if (!this.sawContent) {
      this.sawContent = true;
      this.hadContent = true;
      const c = buf.charCodeAt(start);
      if (c === CH_LT) throw xmlError(this.where());
      // A first line that does not start like a number is a header ("NPA,NXXXXXX", "Phone number", …).
      if (number === undefined && (c < CH_0 || c > CH_0 + 9) && c !== CH_PLUS) return;
    }
    if (number !== undefined) {
      this.batcher.add(number);
      return;
    }
    this.stats.skipped++;
    if (this.stats.firstBadLines.length < MAX_BAD_LINES) {
      let text = buf.slice(start, end);
      if (text.length > MAX_BAD_TEXT) text = `${text.slice(0, MAX_BAD_TEXT)}…`;
      this.stats.firstBadLines.push(
        this.entry === undefined ? { line: this.lineNo, text } : { line: this.lineNo, text, entry: this.entry },
      );
    }
  }

  private where(): string {
    return this.entry === undefined ? this.label : `${this.label} (entry "${this.entry}")`;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function sniffEncoding(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return "utf-16le";
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return "utf-16be";
  return "utf-8";
}

function xmlError(where: string): Error {
  return new Error(
    `${where} is XML. Leadline reads the flat text version of the FTC Do Not Call download ` +
      "(one number a line, or NPA,NXXXXXX); download the area codes again choosing the text format.",
  );
}

/** Whether a zip entry is a registry text file (not a folder, not macOS resource-fork junk). */
function isTextEntry(name: string): boolean {
  if (name.endsWith("/")) return false;
  const base = name.slice(name.lastIndexOf("/") + 1);
  if (name.startsWith("__MACOSX/") || base.startsWith("._")) return false;
  return /\.(txt|csv)$/i.test(base);
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

const SUPPORTED_ZIP_METHODS = new Set([0, 8]); // stored, deflate

// ---------------------------------------------------------------------------------------------------
// The reader

/**
 * Yields batches of E.164 numbers (`+1XXXXXXXXXX`) from a registry file path: plain text or a .zip
 * (detected by its magic bytes, not its name) holding one or more .txt/.csv entries. Returns the final
 * stats. Throws an Error worded for a person on an empty file, XML, a zip with no text entry, or a
 * damaged zip; bad lines are counted and skipped, never thrown.
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
      hadContent = yield* readZip(path, stream, batcher, stats);
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
  yield* batcher.take(true);
  const result = snapshot(stats);
  options.onProgress?.(snapshot(stats));
  return result;
}

async function* readZip(
  path: string,
  stream: AsyncIterable<unknown>,
  batcher: Batcher,
  stats: RegistryReadStats,
): AsyncGenerator<string[], boolean> {
  const unzip = new Unzip();
  unzip.register(UnzipInflate);
  const names: string[] = [];
  const readers: LineReader[] = [];
  // fflate delivers inflated data synchronously inside push(); queue it and parse after push() returns,
  // so our errors (XML, long lines) are not swallowed by fflate's own try/catch.
  const queue: { reader: LineReader; data: Uint8Array; final: boolean }[] = [];
  let failure: Error | undefined;

  unzip.onfile = (file: UnzipFile) => {
    names.push(file.name);
    const supported = SUPPORTED_ZIP_METHODS.has(file.compression);
    if (!isTextEntry(file.name)) {
      // Inflate and drop it: an entry that is never started is buffered whole by fflate.
      if (supported) {
        file.ondata = () => {};
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
      queue.push({ reader, data, final });
    };
    file.start();
  };

  const push = (chunk: Uint8Array, final: boolean) => {
    try {
      unzip.push(chunk, final);
    } catch (err) {
      throw damaged(path, err instanceof Error ? err.message : String(err));
    }
    if (failure) throw failure;
    for (const item of queue) item.reader.write(item.data, item.final);
    queue.length = 0;
  };

  for await (const chunk of stream) {
    push(chunk as Buffer, false);
    yield* batcher.take(false);
  }
  push(new Uint8Array(0), true);

  if (readers.length === 0) throw noTextEntry(path, names);
  return readers.some((r) => r.hadContent);
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
