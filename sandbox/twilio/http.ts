import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type SimulatorServer, serveLocally } from "../lib/server.js";
import { voiceEdge } from "./browser-edge.js";
import type { SimContext } from "./context.js";
import type { Json } from "./model.js";
import { handleRest } from "./rest/router.js";

/** The simulator's HTTP server: the browser edge under /sandbox/voice/ (with CORS), the REST API elsewhere. */

function send(
  res: ServerResponse,
  status: number,
  body: Json | Buffer | null,
  headers: Record<string, string> = {},
): void {
  if (body === null) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  if (Buffer.isBuffer(body)) {
    res.writeHead(status, { "content-type": "audio/mpeg", ...headers });
    res.end(body);
    return;
  }
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

export async function serveSimulator(ctx: SimContext, port?: number): Promise<SimulatorServer> {
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const raw = Buffer.concat(chunks).toString("utf8");
      if (url.pathname.startsWith("/sandbox/voice/")) {
        // The softphone page is served by Leadline on another origin.
        const cors = { "access-control-allow-origin": "*", "access-control-allow-headers": "content-type" };
        if (req.method === "OPTIONS") return send(res, 204, {}, cors);
        const result = await voiceEdge(ctx, url.pathname, raw ? (JSON.parse(raw) as Json) : {});
        return send(res, result.status, result.body, cors);
      }
      await handleRest(ctx, req, res, url, raw, send);
    } catch (error) {
      ctx.log.error({ err: error, path: url.pathname }, "simulator request failed");
      if (!res.headersSent) send(res, 500, { code: 20500, message: "Internal Server Error", status: 500 });
    }
  });
  return serveLocally(server, port);
}
