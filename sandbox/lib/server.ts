import type { Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** How an unreachable simulator looks to its client. */
export type OutageMode = "refuse" | "reset";

export interface OutageOptions {
  /** "refuse" (default) stops listening, so connections are refused; "reset" accepts and drops them at once. */
  mode?: OutageMode;
  /** Reachable again after this many milliseconds; without it, until `reachable()`. */
  forMs?: number;
}

/** A simulator's HTTP server on 127.0.0.1, with an outage switch for fault injection. */
export interface SimulatorServer {
  url: string;
  port: number;
  unreachable(options?: OutageOptions): Promise<void>;
  reachable(): Promise<void>;
  close(): Promise<void>;
}

const HOST = "127.0.0.1";

function listen(server: Server, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const failed = (error: Error) => reject(error);
    server.once("error", failed);
    server.listen(port, HOST, () => {
      server.off("error", failed);
      resolve();
    });
  });
}

function stopListening(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Listens on 127.0.0.1 only (never all interfaces): the simulators are for this machine. */
export async function serveLocally(server: Server, port = 0): Promise<SimulatorServer> {
  await listen(server, port);
  const address = server.address() as AddressInfo;
  const bound = address.port;
  let mode: OutageMode | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  server.prependListener("connection", (socket: Socket) => {
    if (mode === "reset") socket.destroy();
  });

  const reachable = async () => {
    clearTimeout(timer);
    const was = mode;
    mode = undefined;
    // The same port again: clients keep the URL they were given.
    if (was === "refuse" && !closed) await listen(server, bound);
  };

  return {
    url: `http://${address.address}:${bound}`,
    port: bound,
    async unreachable(options = {}) {
      await reachable();
      mode = options.mode ?? "refuse";
      if (mode === "refuse") await stopListening(server);
      else server.closeAllConnections();
      if (options.forMs !== undefined) {
        timer = setTimeout(() => void reachable().catch(() => {}), options.forMs);
        timer.unref();
      }
    },
    reachable,
    async close() {
      closed = true;
      clearTimeout(timer);
      await stopListening(server);
    },
  };
}
