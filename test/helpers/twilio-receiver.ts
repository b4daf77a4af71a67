import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { twilioSignature } from "./signing.js";

/** One webhook as it reached the receiver, and whether Twilio's signature over it holds. */
export interface Hook {
  path: string;
  params: Record<string, string>;
  signed: boolean;
  at: number;
}

/** TwiML (or nothing) a path answers with; a function sees the request's parameters and the receiver's URL. */
export type Answer = string | ((params: Record<string, string>, url: string) => string);

export interface Receiver {
  url: string;
  hooks: Hook[];
  /** The hooks that reached `path` (without its query), oldest first. */
  at(path: string): Hook[];
  close(): Promise<void>;
}

/**
 * A stand-in for an application's webhook routes: records what the simulated Twilio sends, checks
 * each request's X-Twilio-Signature with the account's Auth Token (the full URL it was sent to and
 * the POST parameters), and answers a path with its TwiML (empty otherwise).
 */
export async function startReceiver(token: () => string, answers: Record<string, Answer> = {}): Promise<Receiver> {
  const hooks: Hook[] = [];
  let url = "";
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString("utf8")));
    const signed = req.headers["x-twilio-signature"] === twilioSignature(token(), `${url}${req.url}`, params);
    const path = req.url ?? "";
    hooks.push({ path, params, signed, at: Date.now() });
    const answer = answers[path.split("?")[0]!];
    res.writeHead(200, { "content-type": "text/xml" });
    res.end(typeof answer === "function" ? answer(params, url) : (answer ?? ""));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    hooks,
    at: (path) => hooks.filter((hook) => hook.path.split("?")[0] === path),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A REST client for one simulated account, with Basic auth, form bodies (repeated keys for arrays) and JSON answers. */
export function restClient(baseUrl: string, sid: string, token: string) {
  const auth = `Basic ${Buffer.from(`${sid}:${token}`).toString("base64")}`;
  const call = async (method: string, path: string, params?: Record<string, string | string[]>) => {
    const body = new URLSearchParams();
    for (const [key, value] of Object.entries(params ?? {})) {
      for (const one of Array.isArray(value) ? value : [value]) body.append(key, one);
    }
    const url = path.startsWith("/v1/") ? `${baseUrl}${path}` : `${baseUrl}/2010-04-01/Accounts/${sid}${path}`;
    const res = await fetch(url, {
      method,
      headers: { authorization: auth, ...(params ? { "content-type": "application/x-www-form-urlencoded" } : {}) },
      body: params ? body : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as Record<string, unknown> };
  };
  return {
    get: (path: string) => call("GET", path),
    post: (path: string, params: Record<string, string | string[]> = {}) => call("POST", path, params),
    delete: (path: string) => call("DELETE", path),
  };
}
