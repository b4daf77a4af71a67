import { describe, expect, it } from "vitest";
import { DatabaseFull, diskFullCode, UserError } from "../../src/lib/errors.js";
import { parseRetention } from "../../src/services/transcripts/summary-settings.js";
import { errorMessage, fieldError, SOMETHING_WENT_WRONG } from "../../src/views/errors.js";

// Issue 22, N7: a full disk is told as what it is, in the one place errors become words.

describe("a full disk in words", () => {
  const now = new Date("2026-11-24T19:00:00Z");

  it("a Call click: could not save, nothing was dialled", () => {
    expect(errorMessage(new DatabaseFull("SQLITE_FULL"), { now, what: "the call" }).text).toBe(
      ":floppy_disk: Leadline could not save the call: the disk its database is on is full. Nothing was saved and nothing was dialled. Whoever runs Leadline has been told in the logs; try again once there is room.",
    );
  });

  it("anything else: could not save, and no word about dialling", () => {
    const text = errorMessage(new DatabaseFull("53100"), { now }).text;
    expect(text).toContain("Leadline could not save this: the disk its database is on is full. Nothing was saved.");
    expect(text).not.toContain("dialled");
    expect(fieldError(new DatabaseFull("ENOSPC"))).toContain("the disk its database is on is full");
    expect(text).not.toContain(SOMETHING_WENT_WRONG);
  });
});

describe("diskFullCode", () => {
  it("finds the engine's code however the driver wrapped it", () => {
    // Prisma's known-request error on SQLite, better-sqlite3's own error, the system's ENOSPC.
    expect(diskFullCode({ code: "SQLITE_FULL", message: "Invalid `db.note.create()` invocation" })).toBe("SQLITE_FULL");
    expect(diskFullCode(Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" }))).toBe(
      "SQLITE_FULL",
    );
    expect(diskFullCode(Object.assign(new Error("write failed"), { code: "ENOSPC" }))).toBe("ENOSPC");
    // Prisma's driver-adapter error from node-postgres (its cause names the SQLSTATE), and a raw query's P2010.
    const adapter = Object.assign(new Error('could not extend file "base/1/2": No space left on device'), {
      name: "DriverAdapterError",
      cause: { kind: "postgres", code: "53100", originalCode: "53100" },
    });
    expect(diskFullCode(adapter)).toBe("53100");
    expect(diskFullCode({ code: "P2010", meta: { driverAdapterError: adapter } })).toBe("53100");
    expect(
      diskFullCode({ code: "P2010", message: "Raw query failed. Code: `53100`. Message: `could not extend`" }),
    ).toBe("53100");
    // SQLite through Prisma's adapter: the primary result code as a number.
    expect(diskFullCode({ cause: { kind: "sqlite", extendedCode: 13 } })).toBe("SQLITE_FULL");
  });

  it("leaves every other error alone", () => {
    expect(diskFullCode(new Error("unique constraint failed"))).toBeUndefined();
    expect(diskFullCode({ code: "P2002" })).toBeUndefined();
    expect(diskFullCode({ code: "SQLITE_BUSY", message: "database is locked" })).toBeUndefined();
    expect(diskFullCode(undefined)).toBeUndefined();
  });
});

describe("a summaries retention Leadline cannot read", () => {
  it("the service says what it refused (a code and the limit); the view says it, with the command to type", () => {
    let thrown: unknown;
    try {
      parseRetention("ninety");
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UserError);
    expect(thrown).toMatchObject({ code: "retention_invalid", data: { max: 3650 }, typed: true });
    expect(fieldError(thrown)).toBe('Give the retention as a number of days from 1 to 3650, such as "retention 90".');
    expect(errorMessage(thrown, { now: new Date() }).text).toBe(
      ":x: Give the retention as a number of days from 1 to 3650, such as `retention 90`.",
    );
    expect(fieldError(thrown)).not.toContain("`");
  });
});
