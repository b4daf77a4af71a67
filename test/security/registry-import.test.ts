import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { constants, crc32, deflateRawSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.js";

// Issue 22, N5 and N6: `dnc:import` of a 1 MB zip holding 1 GiB of newlines peaked at 1.7 GB of
// memory; a binary file "imported 0 numbers" and exited 0. The script runs here as an operator runs
// it, in its own process, with its peak memory recorded at exit (test/helpers/peak-memory.mjs).

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PEAK = fileURLToPath(new URL("../helpers/peak-memory.mjs", import.meta.url));

let t: TestApp;
let dir: string;

beforeAll(async () => {
  t = await startTestApp();
  dir = mkdtempSync(join(tmpdir(), "leadline-registry-"));
});
afterAll(async () => {
  await t?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A valid zip whose one entry, 212.txt, is `size` bytes of newlines (a multiple of 16 MiB): one
 * deflated 16 MiB block, fully flushed so it can be repeated, then the final empty block.
 */
function zipBomb(path: string, size: number): void {
  const chunk = Buffer.alloc(16 * 1024 * 1024, 10);
  const block = deflateRawSync(chunk, { level: 9, finishFlush: constants.Z_FULL_FLUSH });
  const copies = size / chunk.length;
  let crc = 0;
  for (let i = 0; i < copies; i += 1) crc = crc32(chunk, crc);
  const data = Buffer.concat([...Array<Buffer>(copies).fill(block), Buffer.from([3, 0])]);
  const name = Buffer.from("212.txt");
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc >>> 0, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(size >>> 0, 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc >>> 0, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(size >>> 0, 24);
  central.writeUInt16LE(name.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + name.length, 12);
  end.writeUInt32LE(local.length + name.length + data.length, 16);
  writeFileSync(path, Buffer.concat([local, name, data, central, name, end]));
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** Peak resident memory of the script's process, in MB. */
  peakMb: number;
}

function dncImport(file: string): Promise<Run> {
  const peakFile = join(dir, `peak-${randomBytes(4).toString("hex")}`);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "--import", PEAK, "src/scripts/dnc-import.ts", file, "--fetched", "2026-11-20"],
      {
        cwd: ROOT,
        env: { ...process.env, ...t.env, LOG_LEVEL: "error", LEADLINE_PEAK_MEMORY_FILE: peakFile },
        encoding: "utf8",
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? Number((error as { code?: unknown }).code ?? 1) : 0;
        resolve({ code, stdout, stderr, peakMb: Number(readFileSync(peakFile, "utf8")) / 1024 });
      },
    );
  });
}

async function nothingImported(): Promise<void> {
  expect(await t.app.deps.db.dncEntry.count({ where: { workspaceId: t.ws } })).toBe(0);
  expect(await t.app.deps.db.registryImport.count({ where: { workspaceId: t.ws, numbers: { gt: 0 } } })).toBe(0);
}

describe("dnc:import of a zip bomb (N5)", () => {
  it("refuses a 1 MB zip holding 1 GiB of newlines early, with memory bounded", async () => {
    const bomb = join(dir, "212.zip");
    zipBomb(bomb, 1024 ** 3);
    expect(statSync(bomb).size).toBeLessThan(1.1 * 1024 ** 2);
    const baseline = await dncImport(fixture("one.txt", "2125550182\n"));
    expect(baseline.code, baseline.stderr).toBe(0);
    await t.app.deps.db.dncEntry.deleteMany();
    await t.app.deps.db.registryImport.deleteMany();

    const run = await dncImport(bomb);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /Import failed: .*212\.zip unpacks to more than 100 times its zipped size .* it looks like a zip bomb, so Leadline stopped reading it\./,
    );
    // Bounded: a few slices of inflated text over what a one-line import takes (was 1.7 GB).
    expect(run.peakMb - baseline.peakMb, `peak ${run.peakMb} MB, one-line import ${baseline.peakMb} MB`).toBeLessThan(
      150,
    );
    await nothingImported();
  }, 120_000);
});

function fixture(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe("dnc:import of a file with no number in it (N6)", () => {
  it("a binary file exits non-zero, saying it is binary", async () => {
    const bytes = randomBytes(256 * 1024);
    bytes[10] = 0;
    bytes[500] = 10;
    const run = await dncImport(fixture("photo.jpg", bytes));
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain("Imported 0 numbers");
    expect(run.stderr).toContain(
      "photo.jpg is a binary file, not text, so it holds no phone numbers Leadline can read.",
    );
    await nothingImported();
  }, 60_000);

  it("a text file without a single number exits non-zero, showing a line it read", async () => {
    const run = await dncImport(
      fixture("contacts.csv", "name,email\nJane Doe,jane@example.com\nBob,bob@example.com\n"),
    );
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain("Imported 0 numbers");
    expect(run.stderr).toContain(
      'contacts.csv has no phone numbers in it: 3 lines read, none a US or Canadian number (line 2: "Jane Doe,jane@example.com").',
    );
    await nothingImported();
  }, 60_000);
});
