/**
 * Lines of an FTC Do Not Call registry file: the accepted formats (see registry-file.ts), parsed in
 * place, and the reader that turns one file's (or zip entry's) bytes into lines, numbers and batches.
 */

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

const MAX_BAD_LINES = 10;
const MAX_BAD_TEXT = 80;
/** A line longer than this is not a registry file; stop before buffering a whole binary file. */
const MAX_LINE_CHARS = 64 * 1024;
/** How far into a file a NUL byte says "binary, not text" (UTF-8 text never holds one). */
const BINARY_SNIFF_BYTES = 8 * 1024;

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

export function snapshot(stats: RegistryReadStats): RegistryReadStats {
  return { ...stats, firstBadLines: stats.firstBadLines.slice() };
}

/** Collects numbers into batches of exactly `size`; full batches wait in `ready` for the generator. */
export class Batcher {
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
export class LineReader {
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
      const encoding = sniffEncoding(data);
      if (encoding === "utf-8" && data.subarray(0, BINARY_SNIFF_BYTES).includes(0)) throw binaryError(this.where());
      this.decoder = new TextDecoder(encoding);
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

function binaryError(where: string): Error {
  return new Error(
    `${where} is a binary file, not text, so it holds no phone numbers Leadline can read. ` +
      "The Do Not Call registry download is text (one number a line, or NPA,NXXXXXX), zipped or not: check you picked the right file.",
  );
}

function xmlError(where: string): Error {
  return new Error(
    `${where} is XML. Leadline reads the flat text version of the FTC Do Not Call download ` +
      "(one number a line, or NPA,NXXXXXX); download the area codes again choosing the text format.",
  );
}
