import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { strToU8, zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  parseRegistryLine,
  type ReadRegistryOptions,
  type RegistryReadStats,
  readRegistryFile,
} from "../../../src/services/dnc/registry-file.js";

let dir: string;
let fileNo = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "leadline-dnc-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Writes a fixture into the temp dir and returns its path. */
function fixture(name: string, content: string | Uint8Array): string {
  const path = join(dir, `${++fileNo}-${name}`);
  writeFileSync(path, content);
  return path;
}

function zipFixture(name: string, entries: Record<string, string | Uint8Array>, level: 0 | 6 = 6): string {
  const files: Record<string, Uint8Array> = {};
  for (const [entry, content] of Object.entries(entries)) {
    files[entry] = typeof content === "string" ? strToU8(content) : content;
  }
  return fixture(name, zipSync(files, { level }));
}

async function readAll(path: string, options?: ReadRegistryOptions) {
  const gen = readRegistryFile(path, options);
  const batches: string[][] = [];
  for (;;) {
    const next = await gen.next();
    if (next.done) return { batches, numbers: batches.flat(), stats: next.value };
    batches.push(next.value);
  }
}

describe("parseRegistryLine", () => {
  it.each([
    ["2015550123", "+12015550123"],
    ["201,5550123", "+12015550123"],
    ["12015550123", "+12015550123"],
    ["+12015550123", "+12015550123"],
    ["201-555-0123", "+12015550123"],
    ["  9998887777\t", "+19998887777"],
    ["\uFEFF2015550123\r", "+12015550123"],
    ["\u00a0201,5550123 ", "+12015550123"],
  ])("accepts %j", (line, expected) => {
    expect(parseRegistryLine(line)).toBe(expected);
  });

  it.each([
    [""],
    ["   "],
    ["NPA,NXXXXXX"],
    ["1015550123"], // area code starts with 1
    ["0015550123"], // area code starts with 0
    ["2011550123"], // exchange starts with 1
    ["201,0550123"], // exchange starts with 0
    ["201-155-0123"],
    ["201555012"], // 9 digits
    ["201555012345"], // 12 digits
    ["22015550123"], // 11 digits not starting with 1
    ["+22015550123"],
    ["+1201555012a"],
    ["201555012a"],
    ["20a,5550123"],
    ["201;5550123"],
    ["201 555 0123"],
    ["(201) 555-0123"],
    ["201-5550-123"],
    ["201,555-0123"],
    ["201,5550123,"],
    ["2015550123x"],
    ["2 015550123"],
    ["<?xml version='1.0'?>"],
    ["２０１５５５０１２３"], // full-width digits
  ])("rejects %j", (line) => {
    expect(parseRegistryLine(line)).toBeUndefined();
  });

  it("agrees with a regex oracle on arbitrary strings from the relevant alphabet", () => {
    const oracle = (line: string): string | undefined => {
      const t = line.replace(/^[\t\n\v\f\r \u00a0\uFEFF]+|[\t\n\v\f\r \u00a0\uFEFF]+$/g, "");
      const m =
        /^(?:\+?1)?(\d{3})(\d{7})$/.exec(t) ?? /^(\d{3}),(\d{7})$/.exec(t) ?? /^(\d{3})-(\d{3})-(\d{4})$/.exec(t);
      if (!m) return undefined;
      const digits = m.slice(1).join("");
      return /^[2-9]\d\d[2-9]\d{6}$/.test(digits) ? `+1${digits}` : undefined;
    };
    const char = fc.constantFrom(..."0112233456789,,--++  \t\uFEFFa".split(""));
    const line = fc.array(char, { maxLength: 15 }).map((cs) => cs.join(""));
    const digitHeavy = fc
      .tuple(fc.stringMatching(/^[0-9]{3}$/), fc.constantFrom("", ",", "-"), fc.stringMatching(/^[0-9]{7}$/))
      .map(([a, sep, b]) => a + sep + b);
    fc.assert(
      fc.property(fc.oneof(line, digitHeavy, fc.string()), (text) => {
        expect(parseRegistryLine(text)).toBe(oracle(text));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("readRegistryFile: plain text", () => {
  it("reads one 10-digit number a line", async () => {
    const path = fixture("plain.txt", "2015550123\n3125550199\n9998887777\n");
    const { batches, stats } = await readAll(path);
    expect(batches).toEqual([["+12015550123", "+13125550199", "+19998887777"]]);
    expect(stats).toEqual({ lines: 3, numbers: 3, skipped: 0, firstBadLines: [] });
  });

  it("reads NPA,NXXXXXX lines with CRLF, a BOM and a header line", async () => {
    const path = fixture("comma.txt", "\uFEFFNPA,NXXXXXX\r\n201,5550123\r\n312,5550199\r\n");
    const { numbers, stats } = await readAll(path);
    expect(numbers).toEqual(["+12015550123", "+13125550199"]);
    expect(stats).toEqual({ lines: 3, numbers: 2, skipped: 0, firstBadLines: [] });
  });

  it("tolerates blank lines, surrounding whitespace, CR-only and mixed line ends, the other formats, no final newline", async () => {
    const path = fixture(
      "mixed.txt",
      "\n  Phone Number  \r\n\r\n 2015550123 \r3125550199\n\t12135550100\r\n+14155550111\r\r\n646-555-0122\n\n   \n718,5550133",
    );
    const { numbers, stats } = await readAll(path);
    expect(numbers).toEqual([
      "+12015550123",
      "+13125550199",
      "+12135550100",
      "+14155550111",
      "+16465550122",
      "+17185550133",
    ]);
    // 12 physical lines: the header and 5 blank ones are neither numbers nor skipped.
    expect(stats).toEqual({ lines: 12, numbers: 6, skipped: 0, firstBadLines: [] });
  });

  it("counts and skips bad lines, keeping the first 10 with their line numbers", async () => {
    const lines = ["2015550123", "1015550123", "hello", "", "201555012", "201,0550123"];
    for (let i = 0; i < 10; i++) lines.push(`bad ${i}`);
    lines.push("3125550199", "x".repeat(200));
    const path = fixture("bad.txt", `${lines.join("\n")}\n`);
    const { numbers, stats } = await readAll(path);
    expect(numbers).toEqual(["+12015550123", "+13125550199"]);
    expect(stats.lines).toBe(18);
    expect(stats.numbers).toBe(2);
    expect(stats.skipped).toBe(15);
    expect(stats.firstBadLines).toEqual([
      { line: 2, text: "1015550123" },
      { line: 3, text: "hello" },
      { line: 5, text: "201555012" },
      { line: 6, text: "201,0550123" },
      { line: 7, text: "bad 0" },
      { line: 8, text: "bad 1" },
      { line: 9, text: "bad 2" },
      { line: 10, text: "bad 3" },
      { line: 11, text: "bad 4" },
      { line: 12, text: "bad 5" },
    ]);
  });

  it("treats only the first non-blank line as a possible header, and never a numeric-looking one", async () => {
    const path = fixture("headers.txt", "Area code,Number\nSecond header\n2015550123\n");
    expect((await readAll(path)).stats).toEqual({
      lines: 3,
      numbers: 1,
      skipped: 1,
      firstBadLines: [{ line: 2, text: "Second header" }],
    });
    const numeric = fixture("numeric-first.txt", "101,5550123\n2015550123\n");
    expect((await readAll(numeric)).stats.firstBadLines).toEqual([{ line: 1, text: "101,5550123" }]);
  });

  it("truncates a long bad line in the report", async () => {
    const path = fixture("long-bad.txt", `2015550123\n${"9".repeat(500)}\n`);
    const { stats } = await readAll(path);
    expect(stats.firstBadLines).toEqual([{ line: 2, text: `${"9".repeat(80)}…` }]);
  });

  it("reads UTF-16 text (Windows 'Unicode') by its BOM", async () => {
    const le = Buffer.from("\uFEFF2015550123\r\n312,5550199\r\n", "utf16le");
    expect((await readAll(fixture("le.txt", le), { chunkSize: 3 })).numbers).toEqual(["+12015550123", "+13125550199"]);
    const be = Buffer.from(le).swap16();
    expect((await readAll(fixture("be.txt", be), { chunkSize: 1 })).numbers).toEqual(["+12015550123", "+13125550199"]);
  });

  it("keeps line numbers and line ends right across tiny reads (CRLF split between chunks, BOM split)", async () => {
    const content = "\uFEFF2015550123\r\nnope\r\n\r\n312,5550199\r\nbad\r\n";
    for (const chunkSize of [1, 2, 3, 5, 7]) {
      const { numbers, stats } = await readAll(fixture("tiny.txt", content), { chunkSize });
      expect(numbers).toEqual(["+12015550123", "+13125550199"]);
      expect(stats).toEqual({
        lines: 5,
        numbers: 2,
        skipped: 2,
        firstBadLines: [
          { line: 2, text: "nope" },
          { line: 5, text: "bad" },
        ],
      });
    }
  });

  it("detects a zip by its magic bytes, not its name", async () => {
    const zipNamedTxt = join(dir, "really-a-zip.txt");
    writeFileSync(zipNamedTxt, zipSync({ "list.txt": strToU8("2015550123\n") }));
    expect((await readAll(zipNamedTxt)).numbers).toEqual(["+12015550123"]);
    const textNamedZip = join(dir, "really-text.zip");
    writeFileSync(textNamedZip, "2015550123\n");
    expect((await readAll(textNamedZip)).numbers).toEqual(["+12015550123"]);
  });
});

describe("readRegistryFile: batching and progress", () => {
  const numbers = Array.from({ length: 25 }, (_, i) => `+1201555${String(1000 + i)}`);
  const content = `${numbers.map((n) => n.slice(2)).join("\n")}\n`;

  it("yields full batches of batchSize and a final partial one", async () => {
    const { batches } = await readAll(fixture("b.txt", content), { batchSize: 10 });
    expect(batches.map((b) => b.length)).toEqual([10, 10, 5]);
    expect(batches.flat()).toEqual(numbers);
  });

  it("yields no empty batch when the count is a multiple of batchSize", async () => {
    const { batches } = await readAll(fixture("b.txt", content), { batchSize: 5 });
    expect(batches.map((b) => b.length)).toEqual([5, 5, 5, 5, 5]);
  });

  it("batches the same way however the file is chunked", async () => {
    const { batches } = await readAll(fixture("b.txt", content), { batchSize: 7, chunkSize: 4 });
    expect(batches.map((b) => b.length)).toEqual([7, 7, 7, 4]);
  });

  it("defaults to batches of 10,000", async () => {
    const lines = Array.from({ length: 25_000 }, (_, i) => String(2_015_550_000 + i));
    const { batches } = await readAll(fixture("big.txt", lines.join("\n")));
    expect(batches.map((b) => b.length)).toEqual([10_000, 10_000, 5_000]);
  });

  it("reports progress per full batch and at the end, with snapshots", async () => {
    const seen: RegistryReadStats[] = [];
    const { stats } = await readAll(fixture("p.txt", `header\n${content}oops\n`), {
      batchSize: 10,
      onProgress: (s) => seen.push(s),
    });
    expect(seen.map((s) => [s.lines, s.numbers, s.skipped])).toEqual([
      [11, 10, 0],
      [21, 20, 0],
      [27, 25, 1],
    ]);
    expect(seen[0]!.firstBadLines).toEqual([]);
    expect(seen[2]).toEqual(stats);
    expect(stats.firstBadLines).toEqual([{ line: 27, text: "oops" }]);
  });

  it("refuses a batchSize that is not a positive integer", async () => {
    const path = fixture("b.txt", content);
    await expect(readAll(path, { batchSize: 0 })).rejects.toThrow(RangeError);
    await expect(readAll(path, { batchSize: 2.5 })).rejects.toThrow(/batchSize/);
  });

  it("stops cleanly when the consumer breaks early", async () => {
    const path = fixture("b.txt", content);
    const got: string[][] = [];
    for await (const batch of readRegistryFile(path, { batchSize: 3, chunkSize: 8 })) {
      got.push(batch);
      if (got.length === 2) break;
    }
    expect(got.flat()).toEqual(numbers.slice(0, 6));
  });
});

describe("readRegistryFile: zip", () => {
  it("reads a .txt inside a zip, deflated or stored", async () => {
    for (const level of [6, 0] as const) {
      const path = zipFixture("one.zip", { "201.txt": "2015550123\r\n2015550124\r\n" }, level);
      const { batches, stats } = await readAll(path);
      expect(batches).toEqual([["+12015550123", "+12015550124"]]);
      expect(stats).toEqual({ lines: 2, numbers: 2, skipped: 0, firstBadLines: [] });
    }
  });

  it("reads every .txt/.csv entry in order, each with its own header and line numbers", async () => {
    const path = zipFixture("two.zip", {
      "DNC/201.txt": "\uFEFFNPA,NXXXXXX\n201,5550123\nbad\n",
      "DNC/312.CSV": "NPA,NXXXXXX\n312,5550199\n312,1550199\n",
    });
    const { numbers, stats } = await readAll(path, { batchSize: 1 });
    expect(numbers).toEqual(["+12015550123", "+13125550199"]);
    expect(stats).toEqual({
      lines: 6,
      numbers: 2,
      skipped: 2,
      firstBadLines: [
        { line: 3, text: "bad", entry: "DNC/201.txt" },
        { line: 3, text: "312,1550199", entry: "DNC/312.CSV" },
      ],
    });
  });

  it("skips folders, non-text entries and macOS resource forks", async () => {
    const path = zipFixture("junk.zip", {
      "readme.pdf": "%PDF-1.4 not numbers",
      "list.xml": "<DNC><n>2015550000</n></DNC>",
      "__MACOSX/._list.txt": new Uint8Array([0, 5, 22, 7, 0, 2, 0, 0, 255, 13, 10]),
      "dir/._list.txt": "\u0000\u0005junk\n",
      "dir/list.txt": "2015550123\n",
    });
    expect(await readAll(path)).toMatchObject({
      numbers: ["+12015550123"],
      stats: { lines: 1, numbers: 1, skipped: 0 },
    });
  });

  it("reads a zip fed in tiny chunks", async () => {
    const path = zipFixture("two.zip", { "a.txt": "2015550123\n2015550124\n", "b.txt": "312,5550199\r\n" });
    for (const chunkSize of [1, 3, 17]) {
      expect((await readAll(path, { chunkSize })).numbers).toEqual(["+12015550123", "+12015550124", "+13125550199"]);
    }
  });
});

describe("readRegistryFile: refusals", () => {
  it("refuses XML, even after a BOM and blank lines", async () => {
    const path = fixture("dnc.xml", '\uFEFF\n  \r\n  <?xml version="1.0"?>\n<DNC><n>2015550123</n></DNC>\n');
    await expect(readAll(path)).rejects.toThrow(/is XML\. .*download the area codes again choosing the text format/);
  });

  it("refuses XML inside a zip's .txt entry, naming the entry", async () => {
    const path = zipFixture("xml-in-txt.zip", { "201.txt": "<dnc/>" });
    await expect(readAll(path)).rejects.toThrow(/entry "201\.txt"\) is XML/);
  });

  it("refuses an empty file and a file of blank lines", async () => {
    await expect(readAll(fixture("empty.txt", ""))).rejects.toThrow(/is empty \(0 bytes\)/);
    await expect(readAll(fixture("blank.txt", "\uFEFF\r\n \n\t\n"))).rejects.toThrow(/no phone numbers in it/);
  });

  it("refuses a zip with no text entry, saying what it holds", async () => {
    await expect(readAll(zipFixture("xml.zip", { "201.xml": "<DNC/>" }))).rejects.toThrow(
      /holds XML \(201\.xml\).*text format/,
    );
    await expect(readAll(zipFixture("pdf.zip", { "a.pdf": "x", "b/": "" }))).rejects.toThrow(
      /no \.txt or \.csv file in it \(it holds a\.pdf, b\/\)/,
    );
    await expect(readAll(zipFixture("empty.zip", {}))).rejects.toThrow(/is an empty zip file/);
    await expect(
      readAll(zipFixture("book.xlsx", { "[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>" })),
    ).rejects.toThrow(/Office document .* Save it as CSV/);
  });

  it("refuses a zip whose text entries are all empty", async () => {
    await expect(readAll(zipFixture("hollow.zip", { "a.txt": "", "b.txt": "\n\n" }))).rejects.toThrow(
      /no phone numbers in it/,
    );
  });

  it("refuses a truncated or damaged zip", async () => {
    const text = Array.from({ length: 2000 }, (_, i) => String(2_015_550_000 + i * 37)).join("\n");
    const whole = zipSync({ "201.txt": strToU8(text) });
    await expect(readAll(fixture("cut.zip", whole.subarray(0, whole.length / 2)))).rejects.toThrow(
      /looks like a zip file but could not be read .* truncated or damaged/,
    );
    const dataStart = 30 + (whole[26]! | (whole[27]! << 8)) + (whole[28]! | (whole[29]! << 8));
    const corrupt = whole.slice();
    corrupt.fill(0xff, dataStart, dataStart + 20); // block type 3 does not exist
    await expect(readAll(fixture("bad.zip", corrupt))).rejects.toThrow(/could not be read/);
  });

  it("refuses a text entry compressed with a method it cannot inflate", async () => {
    const zip = zipSync({ "201.txt": strToU8("2015550123\n".repeat(100)) });
    zip[8] = 9; // local header compression method: Deflate64
    await expect(readAll(fixture("d64.zip", zip))).rejects.toThrow(/compression method 9 \(Deflate64\)/);
  });

  it("refuses a file with no number in it (issue 22, N6), showing the first line it skipped", async () => {
    await expect(readAll(fixture("names.csv", "name,email\nJane,jane@example.com\n"))).rejects.toThrow(
      'has no phone numbers in it: 2 lines read, none a US or Canadian number (line 2: "Jane,jane@example.com")',
    );
    await expect(readAll(zipFixture("names.zip", { "201.txt": "hello\nworld\n" }))).rejects.toThrow(
      '(line 2 of 201.txt: "world")',
    );
  });

  it("refuses a binary file at once, and a binary text entry naming it", async () => {
    const binary = new Uint8Array(300_000).map((_, i) => (i * 7919) % 256);
    await expect(readAll(fixture("photo.jpg", binary))).rejects.toThrow(/photo\.jpg is a binary file, not text/);
    await expect(readAll(zipFixture("bin.zip", { "201.txt": binary }))).rejects.toThrow(
      /\(entry "201\.txt"\) is a binary file, not text/,
    );
  });

  it("refuses a zip bomb (issue 22, N5) once 16 MiB have come out at over 100:1", async () => {
    const bomb = zipFixture("bomb.zip", { "201.txt": new Uint8Array(64 * 1024 * 1024).fill(10) });
    let yielded = 0;
    const reading = (async () => {
      for await (const batch of readRegistryFile(bomb)) yielded += batch.length;
    })();
    await expect(reading).rejects.toThrow(/unpacks to more than 100 times its zipped size .* looks like a zip bomb/);
    expect(yielded).toBe(0);
  });

  it("refuses a zip that inflates past the total cap, whatever its ratio", async () => {
    const text = Array.from({ length: 5_000 }, (_, i) => String(2_015_550_000 + i)).join("\n");
    const path = zipFixture("big.zip", { "201.txt": text });
    await expect(readAll(path, { maxInflatedBytes: 20_000 })).rejects.toThrow(
      /unpacks to more than 19\.5 KB, more than the whole national registry/,
    );
    expect((await readAll(path, { maxInflatedBytes: 100_000 })).stats.numbers).toBe(5_000);
  });

  it("refuses gzip and files that have no line breaks", async () => {
    await expect(readAll(fixture("list.txt.gz", new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2])))).rejects.toThrow(
      /gzip-compressed/,
    );
    const blob = new Uint8Array(200_000).fill(0x41);
    await expect(readAll(fixture("blob.bin", blob))).rejects.toThrow(/without a line break/);
  });
});

describe("readRegistryFile: a million lines", () => {
  const count = 1_000_000;
  const number = (i: number) => 2_002_000_000 + i * 7; // all NANP-shaped: NPA 200, exchange 2xx..9xx

  it("reads 1,000,000 plain lines to the right count", async () => {
    const path = join(dir, "million.txt");
    const lines = new Array<string>(count);
    for (let i = 0; i < count; i++) lines[i] = String(number(i));
    writeFileSync(path, `${lines.join("\n")}\n`);
    const { batches, stats } = await readAll(path);
    expect(batches).toHaveLength(100);
    expect(stats).toEqual({ lines: count, numbers: count, skipped: 0, firstBadLines: [] });
    expect(batches[0]![0]).toBe(`+1${number(0)}`);
    expect(batches[99]![9_999]).toBe(`+1${number(count - 1)}`);
  });

  it("reads 1,000,000 zipped NPA,NXXXXXX lines to the right count", async () => {
    const lines = new Array<string>(count);
    for (let i = 0; i < count; i++) {
      const s = String(number(i));
      lines[i] = `${s.slice(0, 3)},${s.slice(3)}`;
    }
    const path = zipFixture("million.zip", { "200.txt": `NPA,NXXXXXX\r\n${lines.join("\r\n")}\r\n` });
    const { batches, stats } = await readAll(path);
    expect(batches).toHaveLength(100);
    expect(stats).toEqual({ lines: count + 1, numbers: count, skipped: 0, firstBadLines: [] });
    expect(batches[99]![9_999]).toBe(`+1${number(count - 1)}`);
  });
});

describe("readRegistryFile: property", () => {
  const nanp = fc
    .tuple(fc.integer({ min: 200, max: 999 }), fc.integer({ min: 200, max: 999 }), fc.integer({ min: 0, max: 9999 }))
    .map(([npa, nxx, line]) => `${npa}${nxx}${String(line).padStart(4, "0")}`);
  const format = fc.constantFrom(
    (d: string) => d,
    (d: string) => `${d.slice(0, 3)},${d.slice(3)}`,
    (d: string) => `1${d}`,
    (d: string) => `+1${d}`,
    (d: string) => `${d.slice(0, 3)}-${d.slice(3, 6)}-${d.slice(6)}`,
  );
  const eol = fc.constantFrom("\n", "\r\n", "\r");
  const pad = fc.constantFrom("", "", " ", "\t", "  ");
  const row = fc.record({ digits: nanp, format, eol, before: pad, after: pad, blank: fc.boolean() });

  it("yields exactly the numbers written, in order, for any mix of formats and line ends", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { minLength: 1, maxLength: 60 }),
        fc.record({
          bom: fc.boolean(),
          header: fc.boolean(),
          finalEol: fc.boolean(),
          zip: fc.constantFrom(false, 0, 6),
          batchSize: fc.integer({ min: 1, max: 25 }),
          chunkSize: fc.oneof(fc.integer({ min: 1, max: 16 }), fc.constant(65_536)),
        }),
        async (rows, opts) => {
          let text = opts.bom ? "\uFEFF" : "";
          if (opts.header) text += `NPA,NXXXXXX${rows[0]!.eol}`;
          rows.forEach((r, i) => {
            if (r.blank) text += r.eol;
            text += r.before + r.format(r.digits) + r.after;
            if (i < rows.length - 1 || opts.finalEol) text += r.eol;
          });
          const path =
            opts.zip === false
              ? fixture("prop.txt", text)
              : zipFixture("prop.zip", { "list.txt": text }, opts.zip as 0 | 6);
          const { batches, numbers, stats } = await readAll(path, {
            batchSize: opts.batchSize,
            chunkSize: opts.chunkSize,
          });
          expect(numbers).toEqual(rows.map((r) => `+1${r.digits}`));
          expect(stats.numbers).toBe(rows.length);
          expect(stats.skipped).toBe(0);
          expect(batches.slice(0, -1).every((b) => b.length === opts.batchSize)).toBe(true);
          rmSync(path);
        },
      ),
      { numRuns: 150 },
    );
  });
});
