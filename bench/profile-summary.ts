// npx tsx bench/profile-summary.ts <file.cpuprofile> [top]: self time by function, to see what bounds a benchmark.
import { readFileSync } from "node:fs";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
}
const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error("usage: npx tsx bench/profile-summary.ts <file.cpuprofile> [top]");
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, "utf8")) as { nodes: Node[] };
// Time spent waiting is not work: shares are of the samples where the process ran.
const total = profile.nodes.reduce(
  (sum, node) => sum + (node.callFrame.functionName === "(idle)" ? 0 : node.hitCount),
  0,
);
const bySelf = new Map<string, number>();
const byPackage = new Map<string, number>();
for (const node of profile.nodes) {
  const { functionName, url, lineNumber } = node.callFrame;
  if (functionName === "(idle)") continue;
  const where = url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*?\/(src|bench)\//, "$1/");
  const key = `${functionName || "(anonymous)"}  ${where}:${lineNumber + 1}`;
  bySelf.set(key, (bySelf.get(key) ?? 0) + node.hitCount);
  const pkg = url.includes("node_modules/")
    ? url.replace(/^.*node_modules\/((@[^/]+\/)?[^/]+).*$/, "$1")
    : url.startsWith("wasm:")
      ? "wasm (Prisma's query compiler)"
      : url.startsWith("node:")
        ? "node internals"
        : url.includes("/src/")
          ? "leadline src"
          : functionName.startsWith("(")
            ? functionName
            : "other";
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + node.hitCount);
}
const pct = (hits: number) => `${((100 * hits) / total).toFixed(1).padStart(5)}%`;
console.log("by package:");
for (const [pkg, hits] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 15))
  console.log(`  ${pct(hits)}  ${pkg}`);
console.log("by function (self time):");
for (const [key, hits] of [...bySelf].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg ?? 30)))
  console.log(`  ${pct(hits)}  ${key}`);
