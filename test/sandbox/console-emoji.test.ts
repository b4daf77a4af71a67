import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// Slack shows `:memo:` as 📝; the sandbox console does it from its own table. Every emoji code Leadline
// writes must be in that table, or a newcomer trying the sandbox reads ":page_facing_up:" where Slack
// would show a picture.

const root = new URL("../../", import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

describe("the sandbox console's emoji", () => {
  it("knows every :emoji: code Leadline's views and services write", () => {
    const console = readFileSync(join(root, "sandbox/static/console.js"), "utf8");
    const table = console.slice(
      console.indexOf("const EMOJI = {"),
      console.indexOf("};", console.indexOf("const EMOJI = {")),
    );
    const known = new Set([...table.matchAll(/^\s+([a-z0-9_+-]+):/gm)].map((match) => match[1]));
    expect(known.has("memo")).toBe(true);
    const used = new Set<string>();
    for (const file of [...sources(join(root, "src/views")), ...sources(join(root, "src/services"))]) {
      for (const match of readFileSync(file, "utf8").matchAll(/["`'][^"`'\n]*?:([a-z][a-z0-9_]*[a-z]):/g)) {
        used.add(match[1]!);
      }
    }
    expect(used.size).toBeGreaterThan(20);
    expect([...used].filter((name) => !known.has(name)).sort()).toEqual([]);
  });
});
