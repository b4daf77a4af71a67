import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { functionLengths, ormDelegates, SLACK_MARKUP, SQL, slackMarkupIn, sqlIn } from "./helpers/shape-rules.js";

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
/** The store modules: a domain's `*-store.ts` (and `*-db.ts`), and the database layer in services/store/. */
const isStore = (path: string) =>
  /^src\/services\/(\w+\/)?[\w-]*(store|db)\.ts$/.test(path) || path.startsWith("src/services/store/");

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

  it("no SQL outside the store modules (a statement's shape in any string)", () => {
    const offenders = all
      .filter((file) => !isStore(rel(file)))
      .flatMap((file) => sqlIn(file).map((hit) => `${rel(file)}:${hit}`));
    expect(offenders).toEqual([]);
  });

  it("listeners and routes get a slice, never the whole container, never another listener, never a store", () => {
    const offenders: string[] = [];
    const handler = /^src\/listeners\/(commands|actions|views|events)\/(?!index\.ts$)[\w-]+\.ts$/;
    for (const [file, { local }] of graph) {
      const path = rel(file);
      if (!/^src\/(listeners|http)\//.test(path)) continue;
      // The folders' index files are where slices are picked from the container.
      const registry = /^src\/(listeners(\/\w+)?|http)\/index\.ts$/.test(path);
      const text = readFileSync(file, "utf8");
      for (const target of local) {
        const to = rel(target);
        if (to.startsWith("src/container/") && !registry) offenders.push(`${path} → ${to} (the whole container)`);
        // A handler reaches no other handler and no registry (its own folder's or another's).
        if (handler.test(path) && (handler.test(to) || /^src\/listeners\/(\w+\/)?index\.ts$/.test(to)))
          offenders.push(`${path} → ${to} (another listener)`);
        // Routes are not Slack listeners: nothing of listeners/ (helpers shared by both live in lib/).
        if (path.startsWith("src/http/") && to.startsWith("src/listeners/"))
          offenders.push(`${path} → ${to} (a listener)`);
        // A store (or the database) reaches a handler only inside a service, given by the container;
        // importing a store's types is fine.
        const valueImport = new RegExp(
          `^import (?!type )[^;]*from ["'][./]*${to.replace(/^src\//, "").replace(/\.ts$/, "")}\\.js["']`,
          "m",
        );
        if (isStore(to) && valueImport.test(text)) offenders.push(`${path} → ${to} (a store)`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it("domain services write no Slack markup (mentions, special mentions, links, backticks, emoji, bold)", () => {
    const offenders = all
      // The Slack adapter writes Slack; the database layer's words (services/store/) go to the operator's console.
      .filter((file) => /^src\/services\/(?!slack\/|store\/)/.test(rel(file)))
      .flatMap((file) => slackMarkupIn(file).map((hit) => `${rel(file)}:${hit}`));
    expect(offenders).toEqual([]);
  });

  it("domain services throw typed refusals (UserError.of(code, data)), never a sentence; the words are in views/error-words", () => {
    // Each exception says why it still carries sentences.
    const exceptions: Record<string, string> = {
      // validateConsent: its sentences are the lead API's documented field errors ("consent.scope must be …"),
      // carried with validateNewLead's in IntakeRefused.fields (a field → sentence record, not UserErrors) to
      // the API, the lead form (which rewrites them by their opening words) and the CRM's inbound sync.
      // Moving them means typed per-field refusals for the whole intake, not one throw.
      "src/services/compliance/consent-service.ts": "new UserError(message, { field })",
      // LeadValidationError joins validateNewLead's field sentences, the same IntakeRefused contract.
      "src/services/leads/lead-service.ts": 'super(Object.values(errors).join(" "))',
    };
    const offenders: string[] = [];
    for (const file of all) {
      const path = rel(file);
      if (!path.startsWith("src/services/")) continue;
      const text = readFileSync(file, "utf8");
      const at = (index: number) => text.slice(0, index).split("\n").length;
      const calls = [...text.matchAll(/new UserError\(([^\n]*)/g)];
      // A subclass hands super() its code ("missing_settings"), not a sentence.
      if (/extends UserError\b/.test(text)) calls.push(...text.matchAll(/\bsuper\((?!\s*"[a-z_]+"\s*[,)])([^\n]*)/g));
      for (const call of calls) {
        const seen = `${call[0].split("(")[0]}(${call[1]!.trim()}`.replace(/;$/, "");
        if (exceptions[path] !== seen) offenders.push(`${path}:${at(call.index!)} ${seen}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it("the composition root (container, app.ts) renders no views", () => {
    const offenders: string[] = [];
    for (const [file, { local }] of graph) {
      const path = rel(file);
      if (!path.startsWith("src/container/") && path !== "src/app.ts" && path !== "src/main.ts") continue;
      for (const target of local) if (rel(target).startsWith("src/views/")) offenders.push(`${path} → ${rel(target)}`);
    }
    expect(offenders).toEqual([]);
  });

  it("no ORM query and no database driver outside the store modules", () => {
    // Any receiver: `db.call.findMany(`, `database.prisma.lead.update(`, `client.text.create(` …
    const models = ormDelegates(readFileSync(join(root, "prisma/schema.prisma"), "utf8"));
    const orm = new RegExp(
      `\\.(?:${models.join("|")})\\s*\\.\\s*(?:find\\w*|create\\w*|update\\w*|upsert|delete\\w*|count|aggregate|groupBy)\\s*\\(|\\.\\$(?:transaction|queryRaw\\w*|executeRaw\\w*)\\b`,
    );
    const offenders: string[] = [];
    for (const [file, { packages }] of graph) {
      const path = rel(file);
      if (isStore(path)) continue;
      const text = readFileSync(file, "utf8");
      const hit = orm.exec(text);
      if (hit) offenders.push(`${path}: ${hit[0]}`);
      // Types from the ORM's client are data shapes; a value from it or a driver is a way to the database.
      for (const name of packages)
        if (/^(@prisma\/client|@prisma\/adapter-[\w-]+|pg|better-sqlite3)$/.test(name)) {
          const value = new RegExp(`^import (?!type )[^;]*from ["']${name.replace("/", "\\/")}["']`, "m");
          if (value.test(text)) offenders.push(`${path} → ${name}`);
        }
    }
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

describe("the shape rules catch what they say they catch", () => {
  it("Slack markup: mentions, links, backticks, emoji, bold — not times, cron or plain words", () => {
    for (const markup of [
      "<@U0MARIA01>",
      "<!here>",
      "<#C0LEADS01>",
      "<https://x.io|the page>",
      "such as `retention 90`",
      ":x: no",
      "*Jane Doe*",
    ])
      expect(markup).toMatch(SLACK_MARKUP);
    for (const plain of ["at 19:03:04Z", "*/15 * * * * *", 'such as "retention 90"', "Lead #12 has no phone.", "a < b"])
      expect(plain).not.toMatch(SLACK_MARKUP);
  });

  it("SQL: a statement's shape — not English", () => {
    for (const sql of [
      'SELECT "id" FROM "Call"',
      'UPDATE "Call" SET "x" = 1',
      "INSERT INTO t",
      "DELETE FROM t",
      "x ON CONFLICT (h) DO NOTHING",
    ])
      expect(sql).toMatch(SQL);
    for (const words of ["Select a lead from the list.", "Update the settings", "Delete from the queue"])
      expect(words).not.toMatch(SQL);
  });

  it("the ORM's delegates are the schema's models", () => {
    expect(ormDelegates("model Call {\n}\nmodel AgentSetting {\n}\n")).toEqual(["call", "agentSetting"]);
  });
});
