// What a benchmark target holds at rest, after a full garbage collection: both targets (bare Bolt and
// Leadline) answer `{ memory: true }` with this, so their idle figures are taken the same way.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

export interface Memory {
  /** After two full collections. */
  rssMb: number;
  heapMb: number;
}

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

export function memoryAtRest(): Memory {
  gc();
  gc();
  const { rss, heapUsed } = process.memoryUsage();
  return { rssMb: rss / 2 ** 20, heapMb: heapUsed / 2 ** 20 };
}

/** Answers the harness's `{ memory: true }` message in the target process. */
export function answerMemory(): void {
  process.on("message", (message: { memory?: boolean }) => {
    if (message.memory) process.send?.({ memory: memoryAtRest() });
  });
}
