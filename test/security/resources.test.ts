import { Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeSlack, startFakeSlack } from "../helpers/fake-slack.js";
import { CHILD_LEADS_TOKEN, type ChildApp, rawRequest, startChildApp } from "./child-app.js";

// Issue item 4: resource exhaustion. Leadline runs as its own process so its memory can be read
// (/proc/<pid>/status) and a crash shows as an exit code.

const MB = 1024 * 1024;
const HUGE = 256 * MB;
/**
 * What the client may get written before the server's refusal reaches it although the server stopped
 * reading at its cap: the socket buffers of both ends on loopback (a few MB each). Far below 256 MB.
 */
const IN_FLIGHT = 24 * MB;

let slack: FakeSlack;
let app: ChildApp;

beforeAll(async () => {
  slack = await startFakeSlack();
  app = await startChildApp({ slack });
}, 40_000);

afterAll(async () => {
  await app?.stop();
  await slack?.close();
});

interface Streamed {
  status?: number;
  /** Body bytes written in all. */
  written: number;
  /** Body bytes written when the first byte of the answer arrived. */
  writtenAtAnswer?: number;
  /** The server closed the connection (rather than reading everything we sent). */
  closedByServer: boolean;
  ms: number;
}

/**
 * Posts up to `total` bytes as a chunked body, 64 KB at a time, never holding more than one chunk
 * in memory; keeps writing after the answer until the server closes the connection or all is sent.
 */
function streamBody(path: string, headers: string[], total = HUGE): Promise<Streamed> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const data = Buffer.alloc(64 * 1024, "a");
    const frame = Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from("\r\n")]);
    const started = Date.now();
    let written = 0;
    let writtenAtAnswer: number | undefined;
    let answer = "";
    let done = false;
    const finish = (closedByServer: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1];
      resolve({
        status: status ? Number(status) : undefined,
        written,
        writtenAtAnswer,
        closedByServer,
        ms: Date.now() - started,
      });
    };
    const timer = setTimeout(() => finish(false), 20_000);
    socket.on("data", (chunk) => {
      writtenAtAnswer ??= written;
      answer += String(chunk);
    });
    socket.on("error", () => finish(true));
    socket.on("close", () => finish(true));
    const drained = () =>
      new Promise<void>((ready) => {
        const go = () => {
          socket.off("drain", go);
          socket.off("close", go);
          ready();
        };
        socket.on("drain", go);
        socket.on("close", go);
      });
    socket.connect(app.port, "127.0.0.1", async () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n${headers.map((h) => `${h}\r\n`).join("")}\r\n`,
      );
      while (!done && written < total) {
        written += frame.length;
        if (!socket.write(frame)) await drained();
      }
      if (done) return;
      // Everything was sent and read: the server never closed on us. Give its answer a moment.
      socket.end("0\r\n\r\n");
      setTimeout(() => finish(false), 1_000);
      socket.removeAllListeners("close");
      socket.removeAllListeners("error");
    });
  });
}

const FORM = "Content-Type: application/x-www-form-urlencoded";
const JSON_TYPE = "Content-Type: application/json";
const BEARER = `Authorization: Bearer ${CHILD_LEADS_TOKEN}`;

/** Each route's body cap and the headers that get a request as far as reading its body. */
const CAPPED: [string, string[], number][] = [
  ["/slack/events", [FORM], 1 * MB],
  ["/twilio/status", [FORM], 64 * 1024],
  ["/twilio/recording", [FORM], 64 * 1024],
  ["/api/leads", [JSON_TYPE, BEARER], 64 * 1024],
  ["/phone/token", [JSON_TYPE], 4 * 1024],
];

const refused = (result: Streamed) => result.status === 413 || (result.status === undefined && result.closedByServer);

describe("a 256 MB body", () => {
  it.each(CAPPED)(
    "streamed unsigned to %s is refused with 413 at its cap, and the connection closed",
    async (path, headers, cap) => {
      const result = await streamBody(path, headers);
      app.assertAlive(`256 MB to ${path}`);
      // The 413, or only the close: closing on unread bytes sends a reset, which can overtake the answer.
      expect(refused(result), JSON.stringify(result)).toBe(true);
      expect(result.closedByServer, JSON.stringify(result)).toBe(true);
      expect(result.written, JSON.stringify(result)).toBeLessThan(cap + IN_FLIGHT);
    },
  );

  it("four at once leave the process under 300 MB of memory, and it still answers", async () => {
    const results = await Promise.all([
      streamBody("/slack/events", [FORM]),
      streamBody("/twilio/status", [FORM]),
      streamBody("/api/leads", [JSON_TYPE, BEARER]),
      streamBody("/phone/token", [JSON_TYPE]),
    ]);
    app.assertAlive("four 256 MB bodies at once");
    const rss = app.rssMb();
    expect(results.every(refused), JSON.stringify(results)).toBe(true);
    expect(results.every((r) => r.written < 1 * MB + IN_FLIGHT)).toBe(true);
    expect(rss, `RSS ${rss.toFixed(0)} MB`).toBeLessThan(300);
    expect(await app.healthz()).toBe(200);
  });

  it.each(CAPPED)(
    "declared in Content-Length to %s is refused at once, before a byte of it is sent",
    async (path, headers) => {
      const started = Date.now();
      // Only the head: a server that waited for the body would never answer.
      const head = `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${HUGE}\r\n${headers.map((h) => `${h}\r\n`).join("")}\r\n`;
      const answer = await rawRequest(app.port, head, { waitMs: 3_000 });
      app.assertAlive(`Content-Length ${HUGE} to ${path}`);
      expect(answer.status, answer.text.slice(0, 200)).toBe(413);
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(answer.text).toMatch(/\r\nconnection: close\r\n/i);
    },
  );

  it.each(CAPPED)(
    "to %s: a body of exactly the cap is read; one byte more is refused at once",
    async (path, headers, cap) => {
      const chunked = (size: number, last: boolean) =>
        Buffer.concat([
          Buffer.from(
            `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n${headers.map((h) => `${h}\r\n`).join("")}\r\n${size.toString(16)}\r\n`,
          ),
          Buffer.alloc(size, " "),
          Buffer.from(last ? "\r\n0\r\n\r\n" : "\r\n"),
        ]);
      const atCap = await rawRequest(app.port, chunked(cap, true), { waitMs: 3_000 });
      expect(atCap.status, atCap.text.slice(0, 200)).toBeDefined();
      expect(atCap.status).not.toBe(413);
      expect(atCap.status!).toBeLessThan(500);
      // One byte over, and the body never ends: the answer cannot wait for the end.
      const started = Date.now();
      const over = await rawRequest(app.port, chunked(cap + 1, false), { waitMs: 3_000, end: false });
      expect(over.status === 413 || (over.status === undefined && over.closed), over.text.slice(0, 200)).toBe(true);
      if (over.status === 413) expect(over.text).toMatch(/\r\nconnection: close\r\n/i);
      expect(Date.now() - started).toBeLessThan(2_000);
      app.assertAlive(`the cap of ${path}`);
    },
  );

  // A refusal that comes before the body is read (no token, wrong type, no such route, wrong method)
  // must not read the rest either: an endless body would otherwise be read for as long as it is sent.
  it.each([
    ["/api/leads without a token (401)", "/api/leads", [JSON_TYPE], 401],
    ["/api/leads as text/plain (415)", "/api/leads", [BEARER, "Content-Type: text/plain"], 415],
    ["an unknown path (404)", "/no/such/route", [FORM], 404],
    ["a route that takes no body (405)", "/healthz", [FORM], 405],
  ] as const)(
    "streamed to %s is refused and the connection closed, not read to its end",
    async (_name, path, headers, status) => {
      const result = await streamBody(path, [...headers]);
      app.assertAlive(`256 MB to ${path}`);
      expect(result.status, JSON.stringify(result)).toBe(status);
      expect(result.closedByServer, `the server read all ${result.written} bytes: ${JSON.stringify(result)}`).toBe(
        true,
      );
      expect(result.written, JSON.stringify(result)).toBeLessThan(64 * 1024 + IN_FLIGHT);
    },
  );
});
