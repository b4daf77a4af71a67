import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { functionLengths, slackMarkupIn } from "./helpers/shape-rules.js";

const root = resolve(import.meta.dirname, "..");
const src = join(root, "src");

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return files(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** Every import of a file: relative ones resolved to files, packages by name. */
function importsOf(file: string): { local: string[]; packages: string[] } {
  const text = readFileSync(file, "utf8");
  const local: string[] = [];
  const packages: string[] = [];
  for (const match of text.matchAll(
    /(?:^|\n)\s*(?:import|export)\s[^"']*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g,
  )) {
    const spec = match[1] ?? match[2]!;
    if (spec.startsWith(".")) local.push(resolve(dirname(file), spec.replace(/\.js$/, ".ts")));
    else packages.push(spec);
  }
  return { local, packages };
}

const all = files(src);
const graph = new Map(all.map((file) => [file, importsOf(file)]));
const rel = (file: string) => relative(root, file);

describe("the shape of src/ (STYLE.md)", () => {
  it("has no import cycles", () => {
    // Tarjan's strongly connected components over the local import graph.
    let index = 0;
    const stack: string[] = [];
    const on = new Set<string>();
    const indices = new Map<string, number>();
    const low = new Map<string, number>();
    const cycles: string[][] = [];
    const visit = (file: string) => {
      indices.set(file, index);
      low.set(file, index);
      index += 1;
      stack.push(file);
      on.add(file);
      for (const next of graph.get(file)?.local ?? []) {
        if (!graph.has(next)) continue;
        if (!indices.has(next)) {
          visit(next);
          low.set(file, Math.min(low.get(file)!, low.get(next)!));
        } else if (on.has(next)) low.set(file, Math.min(low.get(file)!, indices.get(next)!));
      }
      if (low.get(file) === indices.get(file)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          on.delete(member);
          component.push(rel(member));
        } while (member !== file);
        if (component.length > 1) cycles.push(component);
      }
    };
    for (const file of all) if (!indices.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });

  it("domain services never import views, listeners, presenters, routes, the container or Slack packages; only the Slack adapter does", () => {
    const offenders: string[] = [];
    for (const [file, { local, packages }] of graph) {
      const path = rel(file);
      if (!path.startsWith("src/services/") || path.startsWith("src/services/slack/")) continue;
      for (const target of local) {
        const to = rel(target);
        if (/^src\/(views|listeners|presenters|http|container)\//.test(to) || to.startsWith("src/services/slack/"))
          offenders.push(`${path} → ${to}`);
      }
      for (const name of packages) if (name.startsWith("@slack/")) offenders.push(`${path} → ${name}`);
    }
    expect(offenders).toEqual([]);
  });

  it("views are pure: no services other than types, no I/O packages", () => {
    const offenders: string[] = [];
    for (const [file, { packages }] of graph) {
      const path = rel(file);
      if (!path.startsWith("src/views/")) continue;
      const text = readFileSync(file, "utf8");
      for (const line of text.split("\n")) {
        const match = /^import (?!type)[^"']*from ["'](\.\.\/services\/[^"']+)["']/.exec(line);
        // Constants and pure helpers from a service module are fine; a factory (create…) is not.
        if (match && /\bcreate[A-Z]/.test(line)) offenders.push(`${path} → ${match[1]}`);
      }
      for (const name of packages) {
        // The chart engine reads its font files once, at the first chart: the one file read a view does.
        if (name === "node:fs" && path === "src/views/charts/fonts.ts") continue;
        if (/^(node:(fs|http|net|child_process)|@prisma|better-sqlite3|pg|twilio)$/.test(name))
          offenders.push(`${path} → ${name}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it("no SQL outside the store modules", () => {
    const offenders = all
      .map(rel)
      .filter((path) => !/^src\/services\/(\w+\/)?[\w-]*(store|db)\.ts$/.test(path) && !path.includes("/store/"))
      .filter((path) =>
        /\b(SELECT|INSERT INTO|UPDATE "|DELETE FROM|\$queryRaw|\$executeRaw)\b/.test(
          readFileSync(join(root, path), "utf8"),
        ),
      );
    expect(offenders).toEqual([]);
  });

  it("listeners and routes get a slice, never the whole container, and never import another listener", () => {
    const offenders: string[] = [];
    for (const [file, { local }] of graph) {
      const path = rel(file);
      if (!/^src\/(listeners|http)\//.test(path)) continue;
      // The folders' index files are where slices are picked from the container.
      const registry = /^src\/(listeners(\/\w+)?|http)\/index\.ts$/.test(path);
      for (const target of local) {
        const to = rel(target);
        if (to.startsWith("src/container/") && !registry) offenders.push(`${path} → ${to} (the whole container)`);
        const handler = /^src\/listeners\/(commands|actions|views|events)\/(?!index\.ts)/;
        if (handler.test(path) && handler.test(to)) offenders.push(`${path} → ${to} (another listener)`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it("domain services write no Slack markup (mentions, special mentions, commands in backticks, emoji, bold)", () => {
    const offenders = all
      .filter((file) => rel(file).startsWith("src/services/") && !rel(file).startsWith("src/services/slack/"))
      .flatMap((file) => slackMarkupIn(file).map((hit) => `${rel(file)}:${hit}`));
    expect(offenders).toEqual([]);
  });

  it("the composition root (container, app.ts) renders no views", () => {
    const offenders: string[] = [];
    for (const [file, { local }] of graph) {
      const path = rel(file);
      if (!path.startsWith("src/container/") && path !== "src/app.ts") continue;
      for (const target of local) if (rel(target).startsWith("src/views/")) offenders.push(`${path} → ${rel(target)}`);
    }
    expect(offenders).toEqual([]);
  });

  it("no ORM query outside the store modules", () => {
    const orm =
      /\b(?:db|tx|prisma)\.(?:\$transaction|\$queryRaw|\$executeRaw|\w+\.(?:find\w*|create\w*|update\w*|upsert|delete\w*|count|aggregate|groupBy)\()/;
    const offenders = all
      .map(rel)
      .filter((path) => !/^src\/services\/(\w+\/)?[\w-]*(store|db)\.ts$/.test(path) && !path.includes("/store/"))
      .filter((path) => orm.test(readFileSync(join(root, path), "utf8")));
    expect(offenders).toEqual([]);
  });

  it("no source file over 400 lines", () => {
    const long = all
      .map((file) => ({ path: rel(file), lines: readFileSync(file, "utf8").split("\n").length }))
      .filter(({ lines }) => lines > 400)
      .map(({ path, lines }) => `${path} (${lines})`);
    expect(long).toEqual([]);
  });

  it("no function over 80 lines of its own (functions written inside it count as theirs)", () => {
    const long = all.flatMap((file) =>
      functionLengths(file)
        .filter((fn) => fn.own > 80)
        .map((fn) => `${rel(file)}:${fn.line} ${fn.name} (${fn.own})`),
    );
    expect(long).toEqual([]);
  });
});
