import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// The Slack app's manifest is how a new team creates the app: every command Leadline answers must be in it
// (a missing one is a command Slack never sends), and nothing in it that Leadline does not answer.
const root = join(import.meta.dirname, "..");
const manifest = readFileSync(join(root, "manifest.yml"), "utf8");

function registered(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...registered(path));
    else if (entry.name.endsWith(".ts"))
      for (const match of readFileSync(path, "utf8").matchAll(/app\.command\("(\/[a-z-]+)"/g)) found.push(match[1]!);
  }
  return found;
}

describe("manifest.yml", () => {
  it("lists exactly the slash commands Leadline answers, each at the events URL with a usage hint", () => {
    const inManifest = [...manifest.matchAll(/- command: (\/[a-z-]+)/g)].map((m) => m[1]!);
    const answered = registered(join(root, "src", "listeners"));
    expect(answered.length).toBeGreaterThan(5);
    expect([...new Set(inManifest)].sort()).toEqual([...new Set(answered)].sort());
    expect(inManifest.length).toBe(new Set(inManifest).size);
    const entries = manifest.split("- command: ").slice(1);
    for (const entry of entries) {
      expect(entry).toMatch(/url: https:\/\/\S+\/slack\/events/);
      expect(entry).toMatch(/usage_hint: /);
    }
  });
});
