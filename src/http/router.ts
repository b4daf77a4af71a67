import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../lib/log.js";

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  url: URL;
}

export type RouteHandler = (ctx: RouteContext) => Promise<void> | void;

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: RouteHandler;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body?: unknown,
  ) {
    super(message);
  }
}

/** A tiny method + path router: `/api/leads/:id` style patterns, no dependencies. */
export function createRouter() {
  const routes: Route[] = [];
  return {
    add(method: string, path: string, handler: RouteHandler) {
      const keys: string[] = [];
      const source = path
        .split("/")
        .map((part) => {
          if (part.startsWith(":")) {
            keys.push(part.slice(1));
            return "([^/]+)";
          }
          return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        })
        .join("/");
      routes.push({ method, pattern: new RegExp(`^${source}/?$`), keys, handler });
    },
    match(
      method: string,
      pathname: string,
    ): { handler: RouteHandler; params: Record<string, string> } | "method" | undefined {
      let pathMatched = false;
      for (const route of routes) {
        const found = route.pattern.exec(pathname);
        if (!found) continue;
        pathMatched = true;
        if (route.method !== method) continue;
        const params: Record<string, string> = {};
        for (const [index, key] of route.keys.entries()) {
          try {
            params[key] = decodeURIComponent(found[index + 1] ?? "");
          } catch {
            // A malformed percent-escape (%zz, %E0%A4%A) is the client's mistake, never a crash.
            throw new HttpError(400, "bad path", { error: "bad_request", message: "The path is not valid." });
          }
        }
        return { handler: route.handler, params };
      }
      return pathMatched ? "method" : undefined;
    },
  };
}

export type Router = ReturnType<typeof createRouter>;

/**
 * Reads a request body up to `limitBytes`. Past the limit it stops reading at once (a declared
 * Content-Length over the limit is refused before a byte is read) and answers 413; the connection
 * is closed after the answer, so an endless body costs nothing.
 */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const tooLarge = () => {
    const error = new HttpError(413, `Request body is larger than ${Math.round(limitBytes / 1024)} KB`, {
      error: "payload_too_large",
      message: `The body is larger than ${Math.round(limitBytes / 1024)} KB.`,
    });
    (error as HttpError & { closeConnection?: boolean }).closeConnection = true;
    return error;
  };
  const declared = Number(req.headers["content-length"] ?? "0");
  if (Number.isFinite(declared) && declared > limitBytes) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        cleanup();
        req.pause();
        chunks.length = 0;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(new HttpError(400, "body read failed", { error: "bad_request", message: error.message }));
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendText(
  res: ServerResponse,
  status: number,
  body: string,
  contentType = "text/plain; charset=utf-8",
): void {
  res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(body) });
  res.end(body);
}

/** After answering a request whose body is left unread: how long, and how many more bytes, before the connection is cut. */
const LINGER_MS = 1_000;
const LINGER_BYTES = 1024 * 1024;

/**
 * A request that declared a body (a Content-Length above 0, or Transfer-Encoding) which has not all
 * arrived yet.
 */
function bodyLeftUnread(req: IncomingMessage): boolean {
  if (req.complete) return false;
  return req.headers["transfer-encoding"] !== undefined || Number(req.headers["content-length"] ?? "0") > 0;
}

/**
 * Ends a connection whose request body was left unread, once the answer is sent: a FIN right after
 * the answer, so the client reads the answer and stops sending; the connection is cut when the client
 * closes, or after LINGER_MS or LINGER_BYTES more, whichever comes first. Not at once: closing a
 * socket with unread bytes sends a reset, and a reset can reach the client before it has read the
 * answer. Nor with a `Connection: close` header, for the same reason: Node then destroys the socket
 * as soon as the answer is written.
 */
function closeAfterAnswer(req: IncomingMessage): void {
  const socket = req.socket;
  if (socket.destroyed || socket.writableEnded) return;
  socket.end();
  const cut = () => socket.destroy();
  const timer = setTimeout(cut, LINGER_MS);
  timer.unref();
  socket.once("close", () => clearTimeout(timer));
  // What the client still sends is read (and dropped) by Node only until the bound.
  let more = 0;
  req.on("data", (chunk: Buffer) => {
    more += chunk.length;
    if (more > LINGER_BYTES) cut();
  });
}

/**
 * Every request, however malformed, gets an answer and never takes the process down: a URL that
 * does not parse is a 400, a route's HttpError its status, anything else a logged 500.
 *
 * An answer given before the request's body has all arrived (404, 405, a 401 or 415 refused before
 * reading) ends the connection (closeAfterAnswer): otherwise Node would read and drop the rest of the
 * body, for as long as it is sent, to keep the connection alive, and whatever followed it would be
 * taken as the next request.
 */
export function handleRequest(router: Router, log: Logger, req: IncomingMessage, res: ServerResponse): void {
  // A request that arrives on a connection already being ended (bytes after a body left unread).
  if (req.socket.writableEnded) {
    req.socket.destroy();
    return;
  }
  res.once("finish", () => {
    if (bodyLeftUnread(req)) closeAfterAnswer(req);
  });
  const fail = (error: unknown, path: string) => {
    if (error instanceof HttpError) {
      if ((error as HttpError & { closeConnection?: boolean }).closeConnection) {
        // The rest of an oversized body is never read: answer, then close the connection.
        res.setHeader("connection", "close");
        res.once("finish", () => req.socket.destroy());
      }
      if (!res.headersSent) sendJson(res, error.status, error.body ?? { error: error.message });
      else res.destroy();
      return;
    }
    log.error({ err: error, path }, "route failed");
    if (!res.headersSent) sendJson(res, 500, { error: "internal_error" });
    else res.destroy();
  };
  let url: URL;
  try {
    url = new URL(req.url ?? "/", "http://localhost");
    if (!(req.url ?? "").startsWith("/")) throw new Error("not an origin-form request target");
  } catch {
    fail(new HttpError(400, "bad url", { error: "bad_request", message: "The request URL is not valid." }), "?");
    return;
  }
  try {
    const found = router.match(req.method ?? "GET", url.pathname);
    if (found === undefined) {
      sendJson(res, 404, { error: "not_found" });
      return;
    }
    if (found === "method") {
      sendJson(res, 405, { error: "method_not_allowed" });
      return;
    }
    Promise.resolve()
      .then(() => found.handler({ req, res, params: found.params, url }))
      .catch((error: unknown) => fail(error, url.pathname));
  } catch (error) {
    fail(error, url.pathname);
  }
}
