// npx tsx bench/profile-summary.ts <file.cpuprofile> [top]: self time by function, to see what bounds a benchmark.
// `npm run bench` with BENCH_PROFILE=1 prints the top frames of each load's profile through topFrames.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
}

/** Shares of the samples where the process ran (waiting is not work), by package and by function. */
export function profileShares(file: string): { byPackage: [string, number][]; byFunction: [string, number][] } {
  const profile = JSON.parse(readFileSync(file, "utf8")) as { nodes: Node[] };
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
  const shares = (map: Map<string, number>) =>
    [...map]
      .map(([key, hits]) => [key, (100 * hits) / Math.max(1, total)] as [string, number])
      .sort((a, b) => b[1] - a[1]);
  return { byPackage: shares(byPackage), byFunction: shares(bySelf) };
}

/** One line: the `top` functions by self time, with their shares. */
export function topFrames(file: string, top = 5): string {
  return profileShares(file)
    .byFunction.slice(0, top)
    .map(([frame, share]) => `${share.toFixed(1)}% ${frame.replace(/\s+/g, " ")}`)
    .join("; ");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const [file, topArg] = process.argv.slice(2);
  if (!file) {
    console.error("usage: npx tsx bench/profile-summary.ts <file.cpuprofile> [top]");
    process.exit(2);
  }
  const { byPackage, byFunction } = profileShares(file);
  const pct = (share: number) => `${share.toFixed(1).padStart(5)}%`;
  console.log("by package:");
  for (const [pkg, share] of byPackage.slice(0, 15)) console.log(`  ${pct(share)}  ${pkg}`);
  console.log("by function (self time):");
  for (const [key, share] of byFunction.slice(0, Number(topArg ?? 30))) console.log(`  ${pct(share)}  ${key}`);
}
