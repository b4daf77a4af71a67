// Issue 14: two Leadline instances on one PostgreSQL database, behind the same fake Slack and Twilio,
// against one. Each side gets the same offered load: clicks with 4 in flight (spread round robin over
// the instances), then status callbacks from two autocannon runs of 10 connections each (both at the
// one instance, or one at each). This machine has 2 cores shared by both instances, PostgreSQL, the
// fakes and the load generators: the ratio is reported as measured, not tuned for.
import type { BenchDb } from "./database.js";
import {
  clickToTwilio,
  type Fakes,
  heldCalls,
  type Instance,
  type LoadResult,
  load,
  startLeadline,
  statusCallbacks,
} from "./harness.js";
import { summarize } from "./lib.js";

const CLICKS_IN_FLIGHT = 4;

async function side(fakes: Fakes, instances: Instance[], leads: { id: number; phone: string }[]) {
  const urls = instances.map((instance) => instance.url);
  const clicks = await clickToTwilio(fakes, urls, leads, CLICKS_IN_FLIGHT);
  const requests = statusCallbacks(heldCalls(fakes, clicks.latencies.length), fakes.account);
  const half = Math.ceil(requests.length / 2);
  const runs: LoadResult[] = await Promise.all([
    load(urls[0]!, requests.slice(0, half), 10),
    load(urls[urls.length - 1]!, requests.slice(half), 10),
  ]);
  return {
    instances: instances.length,
    clickToTwilio: { ...summarize(clicks.latencies), perSecond: clicks.perSecond, failures: clicks.failures },
    statusCallbacks: {
      rps: runs.reduce((sum, run) => sum + run.rps, 0),
      // Each run's p99; the worse of the two stands for both.
      p99: Math.max(...runs.map((run) => run.p99)),
      errors: runs.reduce((sum, run) => sum + run.errors, 0),
      total: runs.reduce((sum, run) => sum + run.total, 0),
    },
  };
}

export async function benchInstances(
  fakes: Fakes,
  bench: BenchDb,
  encryptionKey: string,
  leads: { id: number; phone: string }[],
) {
  const half = Math.floor(leads.length / 2);
  const a = await startLeadline(fakes, bench.url, encryptionKey);
  let b: Instance | undefined;
  try {
    const one = await side(fakes, [a], leads.slice(0, half));
    b = await startLeadline(fakes, bench.url, encryptionKey);
    const two = await side(fakes, [a, b], leads.slice(half));
    return { one, two };
  } finally {
    await Promise.all([a.stop(), b?.stop()]);
  }
}
