import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, maskPhone } from "../../src/lib/log.js";

describe("logging", () => {
  it("masks phone numbers in any format, keeping the last 4 digits", () => {
    expect(maskPhone("calling +15551234567 now")).toBe("calling +***4567 now");
    expect(maskPhone("(555) 123-4567")).toBe("***4567");
    expect(maskPhone("call 42 at 10:30")).toBe("call 42 at 10:30");
  });

  it("writes structured JSON with phones masked and secrets redacted", () => {
    const lines: string[] = [];
    const log = createLogger(
      "info",
      new Writable({
        write(chunk, _e, cb) {
          lines.push(String(chunk));
          cb();
        },
      }),
    );
    log.info({ to: "+15551234567", nested: { from: "+15550000000" }, authToken: "tok-123" }, "dialing +15551234567");
    const entry = JSON.parse(lines[0]!);
    expect(entry.to).toBe("+***4567");
    expect(entry.nested.from).toBe("+***0000");
    expect(entry.authToken).toBe("[redacted]");
    expect(entry.msg).toBe("dialing +***4567");
    expect(lines[0]).not.toContain("5551234567");
    expect(lines[0]).not.toContain("tok-123");
  });
});
