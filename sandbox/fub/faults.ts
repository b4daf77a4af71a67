import { seededRandom } from "../lib/seeded-random.js";

// Fault scripting for tests: what FUB's error-responses page says a client must survive (429 with
// Retry-After, 5xx "because it is overloaded, or because we made a programming error"), plus what
// any network does (slow answers, dropped connections). Operations are named "METHOD /route",
// e.g. "POST /v1/calls" or "PUT /v1/calls/:id"; "*" matches every operation.

export type Fault =
  /** A 429 with FUB's rate-limit headers and Retry-After (default 1 second); the request is not processed. */
  | { kind: "rate-limit"; retryAfter?: number }
  /** A 5xx (default 500). With `applied` the write happened before the error (an ambiguous answer). */
  | { kind: "server-error"; status?: number; applied?: boolean }
  /** The answer comes after `ms`; the write is applied at once unless `applied` is false (the ambiguous send). */
  | { kind: "slow"; ms: number; applied?: boolean }
  /** The connection is destroyed without an answer; with `applied` the write happened first. */
  | { kind: "drop"; applied?: boolean };

/** Faults at random, reproducibly: the same seed gives the same faults for the same requests. */
export interface RandomFaults {
  seed: number;
  /** Operations that may fail (default every operation). */
  ops?: string[];
  /** Probabilities in [0, 1] of each fault per request; checked in this order. */
  rateLimit?: number;
  serverError?: number;
  slow?: number;
  drop?: number;
  slowMs?: number;
  retryAfter?: number;
  /** Whether a 5xx, slow or dropped write was applied (default true: the hardest case for a client). */
  applied?: boolean;
}

export class FaultPlan {
  private readonly queues = new Map<string, Fault[]>();
  private random: { next: () => number; config: RandomFaults } | undefined;

  /** The next requests to `op` (or "*") meet these faults, one each, in order. */
  script(op: string, ...faults: Fault[]): void {
    this.queues.set(op, [...(this.queues.get(op) ?? []), ...faults]);
  }

  /** Faults at random from now on; `undefined` stops them. */
  randomly(config: RandomFaults | undefined): void {
    this.random = config && { next: seededRandom(config.seed), config };
  }

  clear(): void {
    this.queues.clear();
    this.random = undefined;
  }

  /** Scripted faults still waiting, for `op` or in all. */
  pending(op?: string): number {
    if (op) return this.queues.get(op)?.length ?? 0;
    return [...this.queues.values()].reduce((sum, queue) => sum + queue.length, 0);
  }

  next(op: string): Fault | undefined {
    for (const key of [op, "*"]) {
      const fault = this.queues.get(key)?.shift();
      if (fault) return fault;
    }
    return this.randomFault(op);
  }

  private randomFault(op: string): Fault | undefined {
    if (!this.random) return undefined;
    const { next, config } = this.random;
    if (config.ops && !config.ops.includes(op)) return undefined;
    const applied = config.applied ?? true;
    const roll = next();
    let edge = 0;
    const hit = (p: number | undefined) => {
      edge += p ?? 0;
      return roll < edge;
    };
    if (hit(config.rateLimit)) return { kind: "rate-limit", retryAfter: config.retryAfter ?? 1 };
    if (hit(config.serverError)) return { kind: "server-error", status: next() < 0.5 ? 500 : 503, applied };
    if (hit(config.slow)) return { kind: "slow", ms: config.slowMs ?? 2_000, applied };
    if (hit(config.drop)) return { kind: "drop", applied };
    return undefined;
  }
}
