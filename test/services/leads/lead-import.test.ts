import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCsv } from "../../../src/lib/csv.js";
import { formatImportReport, importLeadsCsv } from "../../../src/services/leads/lead-import.js";
import { createLeadService } from "../../../src/services/leads/lead-service.js";
import { createLeadStore } from "../../../src/services/leads/lead-store.js";
import { fieldError } from "../../../src/views/errors.js";
import { openTestDatabase } from "../../helpers/app.js";

describe("parseCsv", () => {
  it("handles a BOM, quotes, escaped quotes, commas and newlines inside quotes, CRLF", () => {
    const rows = parseCsv('\uFEFFname,phone\r\n"Doe, Jane","212 555 0182"\r\n"Say ""hi""\nthere",1\n');
    expect(rows).toEqual([
      { line: 1, fields: ["name", "phone"] },
      { line: 2, fields: ["Doe, Jane", "212 555 0182"] },
      { line: 3, fields: ['Say "hi"\nthere', "1"] },
    ]);
  });

  it("refuses an unclosed quote", () => {
    expect(() => parseCsv('name\n"open')).toThrow(/never closed/);
  });
});

describe("importLeadsCsv", () => {
  let dir: string;
  let handle: Awaited<ReturnType<typeof openTestDatabase>>;
  const service = () => createLeadService({ store: createLeadStore(handle.database), defaultCountry: "US" });
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "leadline-import-"));
    handle = await openTestDatabase(dir);
  });
  afterAll(async () => {
    await handle.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("reports created, duplicate and rejected rows, each all-or-nothing", async () => {
    const leads = service();
    const csv = [
      "\uFEFFName,Phone,Email,Source",
      '"Doe, Jane",(212) 555-0182,jane@example.com,Zillow',
      "John Roe,+1 212 555 0183,,open house",
      "Jane Again,212.555.0182,,",
      "No Phone,,,",
      "Bad Phone,call me,,",
      "Bad Email,212 555 0184,not-an-email,",
      ",212 555 0185,,",
    ].join("\n");
    const report = await importLeadsCsv(handle.ws, csv, leads, "csv import");
    expect(report.created.map((c) => c.name)).toEqual(["Doe, Jane", "John Roe"]);
    expect(report.duplicates).toEqual([
      { line: 4, name: "Jane Again", existingId: report.created[0]!.id, existingName: "Doe, Jane" },
    ]);
    expect(report.rejected.map((r) => r.line)).toEqual([5, 6, 7, 8]);
    expect(report.rejected[1]!.reason).toContain('"call me" is not a callable number');
    expect(report.rejected[2]!.reason).toContain("not an email");
    expect(report.rejected[3]!.reason).toContain("Enter the lead's name");
    expect(await handle.database.prisma.lead.count()).toBe(2);
    expect(formatImportReport(report)).toContain("Created 2, duplicates 1, rejected 4.");
  });

  it("requires a header with name and phone", async () => {
    const refusal = importLeadsCsv(handle.ws, "Jane,2125550182\n", service(), "x");
    await expect(refusal).rejects.toMatchObject({ code: "csv_header", data: { found: ["Jane", "2125550182"] } });
    expect(fieldError(await refusal.catch((error: unknown) => error))).toBe(
      "The header must name the columns name and phone (found: Jane, 2125550182).",
    );
  });
});
