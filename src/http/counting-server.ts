import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

/**
 * An HTTP server that counts the requests whose answer is not finished, so that a stop can wait for
 * them and then close every connection left (one with no answer owed is safe to close).
 */
export function createCountingServer(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  let inFlight = 0;
  let noneInFlight: (() => void) | undefined;
  const server = createServer((req, res) => {
    inFlight += 1;
    res.once("close", () => {
      inFlight -= 1;
      if (inFlight === 0) noneInFlight?.();
    });
    handler(req, res);
  });
  /** Resolves once no request is in flight, or after `ms` (a client that never finishes its request). */
  const requestsDone = (ms: number) =>
    new Promise<void>((resolve) => {
      if (inFlight === 0) return resolve();
      const timer = setTimeout(resolve, ms);
      noneInFlight = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  return { server, requestsDone };
}
