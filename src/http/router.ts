import type { IncomingMessage, ServerResponse } from "node:http";

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
        const params = Object.fromEntries(
          route.keys.map((key, index) => [key, decodeURIComponent(found[index + 1] ?? "")]),
        );
        return { handler: route.handler, params };
      }
      return pathMatched ? "method" : undefined;
    },
  };
}

export type Router = ReturnType<typeof createRouter>;

export async function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > limitBytes) throw new HttpError(413, `Request body is larger than ${limitBytes / 1024} KB`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limitBytes) throw new HttpError(413, `Request body is larger than ${limitBytes / 1024} KB`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
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
