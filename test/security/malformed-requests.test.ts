import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ids } from "../../src/lib/ids.js";
import { dropSharedDatabase, eventually } from "../helpers/app.js";
import { type FakeSlack, startFakeSlack } from "../helpers/fake-slack.js";
import { type FakeAccount, type FakeTwilio, fakeSid, startFakeTwilio } from "../helpers/fake-twilio.js";
import { twilioSignature } from "../helpers/signing.js";
import {
  CHILD_LEADS_TOKEN,
  CHILD_PUBLIC,
  CHILD_SIGNING_SECRET,
  type ChildApp,
  childSql,
  type RawAnswer,
  rawRequest,
  seedDatabase,
  signSlack,
  startChildApp,
} from "./child-app.js";
import { addLead, saveTwilioSettings, writeBrowserLinkRow, writeCallRow } from "./seams.js";

// Issue item 1 (anyone can stop the process) and item 3 (an unhandled rejection is logged, never
// fatal), against Leadline running as production runs it: its own process, reached over raw TCP.

const FROM = "+15005550006";

/** Every route Leadline serves, with its parameters filled in, and one it does not. */
const ROUTES = [
  "/slack/events",
  "/twilio/status",
  "/twilio/amd",
  "/twilio/voice/menu",
  "/twilio/voice/browser",
  "/twilio/voice/dial-done",
  "/twilio/voice/disclosure",
  "/twilio/status/lead",
  "/twilio/recording",
  "/api-token",
  "/api/leads",
  "/api/leads/1",
  "/recordings",
  "/recordings/1",
  "/phone",
  "/phone/token",
  "/phone/app.js",
  "/phone/voice-sdk.js",
  "/healthz",
  "/no/such/route",
];

/** Percent-escapes decodeURIComponent refuses (and a few it accepts that decode to trouble). */
const BAD_ESCAPES = ["%", "%zz", "%E0%A4%A", "%C0%80", "%ED%A0%80", "%FF", "%%", "%u0041", "%0", "%00", "%2e%2e%2f"];

const OUR_ACTIONS = [
  ids.call.liveAction,
  ids.call.messageAction,
  ids.call.legacySimpleAction,
  ids.call.bridgeAction,
  ids.call.browserAction,
  ids.call.browserLinkAction,
  ids.lead.noteAction,
  ids.lead.phoneAction,
  ids.lead.addAction,
  ids.lead.dncAction,
  ids.lead.addressAction,
  ids.schedule.fromBlockAction,
  ids.twilioSetup.clearAction,
];
const OUR_VIEWS = [
  ids.twilioSetup.callbackId,
  ids.lead.addCallbackId,
  ids.lead.noteCallbackId,
  ids.lead.phoneCallbackId,
  ids.lead.addressCallbackId,
  ids.call.settingsCallbackId,
];

let slack: FakeSlack;
let twilio: FakeTwilio;
let account: FakeAccount;
let app: ChildApp;
let dir: string;
let sent = 0;
/**
 * What signed Twilio webhooks name. Each is verified with the token of the workspace of the call (or
 * browser link) it names, so a webhook naming nothing Leadline knows is refused before its body is read.
 */
const seeded = { messageCallId: 0, messageCallSid: fakeSid("CA"), liveCallId: 0, linkId: "seeded-browser-link-0001" };

beforeAll(async () => {
  slack = await startFakeSlack();
  twilio = await startFakeTwilio();
  account = twilio.addAccount({ numbers: [FROM] });
  dir = mkdtempSync(join(tmpdir(), "leadline-fuzz-"));
  const key = randomBytes(32).toString("base64");
  // Twilio settings are stored, so signed webhooks get past the signature to the parsing behind it.
  await seedDatabase({ dir, key, slack, twilio }, async (t) => {
    await saveTwilioSettings(t, { accountSid: account.sid, authToken: account.token, phoneNumber: FROM });
    const jane = await addLead(t, "Jane Doe", "+12125550182");
    // Calls that ended (a message call and a live call) and a browser link, for webhooks to name.
    const ended = {
      leadId: jane.id,
      activeLeadId: null,
      fromNumber: FROM,
      toNumber: jane.phone!,
      placedBy: "U0MARIA01",
    };
    seeded.messageCallId = (
      await writeCallRow(t, { ...ended, mode: "message", status: "completed", twilioSid: seeded.messageCallSid })
    ).id;
    seeded.liveCallId = (
      await writeCallRow(t, { ...ended, mode: "live", status: "completed", twilioSid: fakeSid("CA") })
    ).id;
    await writeBrowserLinkRow(t, {
      id: seeded.linkId,
      leadId: jane.id,
      slackUserId: "U0MARIA01",
      expiresAt: new Date(Date.now() + 3_600_000),
    });
  });
  app = await startChildApp({ slack, twilioUrl: twilio.url, dir, key });
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await slack?.close();
  await twilio?.close();
  if (dir) {
    rmSync(dir, { recursive: true, force: true });
    await dropSharedDatabase(dir);
  }
});

async function expectHealthy(after: string) {
  const status = await app.healthz().catch((error: unknown) => {
    throw new Error(`/healthz did not answer after ${after}: ${String(error)}\n${app.output().slice(-4000)}`);
  });
  expect(status, `/healthz after ${after}`).toBe(200);
}

/**
 * One input over its own connection: the process must be running after it; /healthz is asked every 25.
 * The connection is half-closed after the input (so a server waiting for more of a body finds out there
 * is none) unless `end` is false: Node ends a half-closed connection, so an answer that needs a database
 * round trip (slower on PostgreSQL) may find it gone; inputs whose answer is checked keep it open.
 */
async function send(
  what: string,
  bytes: Buffer | string,
  options: { end?: boolean; waitMs?: number } = {},
): Promise<RawAnswer> {
  const answer = await rawRequest(app.port, bytes, options);
  app.assertAlive(what);
  sent += 1;
  if (sent % 25 === 0) await expectHealthy(what);
  return answer;
}

const isClientError = (answer: RawAnswer) => answer.status !== undefined && answer.status >= 400 && answer.status < 500;

/** A 4xx, or (where Node's parser gives up on the bytes) the connection closed without a 5xx. */
function expectRefused(what: string, answer: RawAnswer) {
  const ok = isClientError(answer) || (answer.status === undefined && answer.closed);
  expect(ok, `${what} → ${JSON.stringify(answer.text.slice(0, 200))}`).toBe(true);
}

function expectNoServerError(what: string, answer: RawAnswer) {
  const ok = answer.status === undefined ? answer.closed : answer.status < 500;
  expect(ok, `${what} → ${JSON.stringify(answer.text.slice(0, 200))}`).toBe(true);
}

/** A request as bytes; Content-Length is added unless a length or encoding header is given. */
function request(
  method: string,
  target: string,
  headers: [string, string][] = [],
  body: Buffer | string = "",
  { length = true }: { length?: boolean } = {},
): Buffer {
  const bytes = Buffer.from(body);
  const lines = [`${method} ${target} HTTP/1.1`, "Host: 127.0.0.1", ...headers.map(([k, v]) => `${k}: ${v}`)];
  if (length && !headers.some(([k]) => /^(content-length|transfer-encoding)$/i.test(k)))
    lines.push(`Content-Length: ${bytes.length}`);
  return Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1"), bytes]);
}

describe("malformed requests never stop the process", () => {
  it("the issue's examples: /recordings/%E0%A4%A, /api/leads/%zz and GET http://[ get a 400", async () => {
    for (const [what, bytes] of [
      ["GET /recordings/%E0%A4%A", request("GET", "/recordings/%E0%A4%A")],
      ["GET /api/leads/%zz", request("GET", "/api/leads/%zz", [["Authorization", `Bearer ${CHILD_LEADS_TOKEN}`]])],
      ["GET http://[", request("GET", "http://[")],
    ] as const) {
      const answer = await send(what, bytes);
      expect(answer.status, what).toBe(400);
    }
    await expectHealthy("the issue's examples");
  });

  it("a bad percent-escape in the path of every route gets a 4xx", async () => {
    for (const route of ROUTES) {
      for (const bad of BAD_ESCAPES) {
        for (const target of [`${route}/${bad}`, `${route}${bad}`, `/${bad}${route}`]) {
          for (const method of ["GET", "POST"]) {
            expectRefused(`${method} ${target}`, await send(`${method} ${target}`, request(method, target)));
          }
        }
      }
    }
    await expectHealthy("bad escapes in paths");
  });

  it("bad percent-escapes in the query of every route are answered, never with a 5xx", async () => {
    for (const route of ROUTES) {
      for (const bad of BAD_ESCAPES) {
        const target = `${route}?call=${bad}&t=${bad}&exp=${bad}&sig=${bad}&${bad}=${bad}`;
        for (const method of ["GET", "POST"]) {
          expectNoServerError(`${method} ${target}`, await send(`${method} ${target}`, request(method, target)));
        }
      }
    }
    await expectHealthy("bad escapes in queries");
  });

  it("malformed request lines, absolute-form targets and odd methods get a 4xx or a closed connection", async () => {
    const lines = [
      "GET http://[ HTTP/1.1",
      "GET http://[::1 HTTP/1.1",
      "GET http://%zz/ HTTP/1.1",
      "GET http:// HTTP/1.1",
      "GET http://leadline.example.com:99999/healthz HTTP/1.1",
      "GET https://leadline.example.com/healthz HTTP/1.1",
      "POST http://127.0.0.1/slack/events HTTP/1.1",
      "GET * HTTP/1.1",
      "OPTIONS * HTTP/1.1",
      "GET  HTTP/1.1",
      "GET / HTTP/1.1 extra",
      "GET /healthz HTTP/9.9",
      "GET",
      " GET /healthz HTTP/1.1",
      "GET\t/healthz\tHTTP/1.1",
      "get /healthz HTTP/1.1",
      "FOO /healthz HTTP/1.1",
      "G\u0000T /healthz HTTP/1.1",
      "GET /\u0000 HTTP/1.1",
      "GET /h\u00e9llo HTTP/1.1",
      `GET /${"a".repeat(80_000)} HTTP/1.1`,
      "CONNECT 127.0.0.1:22 HTTP/1.1",
      "PRI * HTTP/2.0",
      "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003",
    ];
    for (const line of lines) {
      const what = JSON.stringify(line.slice(0, 80));
      expectRefused(what, await send(what, Buffer.from(`${line}\r\nHost: 127.0.0.1\r\n\r\n`, "latin1")));
    }
    // Methods Node knows but no route takes: 405 or 404, never more.
    for (const method of ["PUT", "DELETE", "PATCH", "TRACE", "PROPFIND", "MKCOL", "LOCK", "PURGE", "SEARCH"]) {
      for (const route of ROUTES) {
        expectRefused(`${method} ${route}`, await send(`${method} ${route}`, request(method, route)));
      }
    }
    // Two requests in one write, the second one broken: the first is answered, the process stays up.
    const pipelined = await send(
      "pipelined",
      Buffer.concat([request("GET", "/healthz"), Buffer.from("GET http://[ HTTP/1.1\r\nHost: x\r\n\r\n")]),
      { end: false },
    );
    expect(pipelined.status).toBe(200);
    // Pure garbage.
    for (let i = 0; i < 20; i += 1) await send("random bytes", randomBytes(1 + i * 50));
    await expectHealthy("malformed request lines");
  });

  it("huge, duplicate and invalid headers and bad Content-Lengths get a 4xx or a closed connection", async () => {
    const signedish: [string, string][] = [
      ["Content-Type", "application/x-www-form-urlencoded"],
      ["X-Slack-Request-Timestamp", "1"],
    ];
    const cases: [string, Buffer][] = [
      ["a 70 KB header", request("GET", "/healthz", [["X-Big", "a".repeat(70_000)]])],
      [
        "3,000 headers",
        request(
          "GET",
          "/healthz",
          Array.from({ length: 3000 }, (_, i) => [`X-H${i}`, "v"]),
        ),
      ],
      [
        "two Content-Lengths",
        request("POST", "/slack/events", [...signedish, ["Content-Length", "1"], ["Content-Length", "2"]], "ab"),
      ],
      ["Content-Length abc", request("POST", "/slack/events", [["Content-Length", "abc"]], "ab")],
      ["Content-Length -5", request("POST", "/api/leads", [["Content-Length", "-5"]], "ab")],
      ["Content-Length 1e3", request("POST", "/twilio/status", [["Content-Length", "1e3"]], "ab")],
      ["Content-Length 0x10", request("POST", "/twilio/amd", [["Content-Length", "0x10"]], "ab")],
      ["Content-Length +5", request("POST", "/phone/token", [["Content-Length", "+5"]], "abcde")],
      ["Content-Length 5, 5", request("POST", "/phone/token", [["Content-Length", "5, 5"]], "abcde")],
      ["Content-Length 2^64", request("POST", "/slack/events", [["Content-Length", "18446744073709551616"]], "ab")],
      ["Content-Length longer than the body", request("POST", "/slack/events", [["Content-Length", "100"]], "ab")],
      [
        "Content-Length and chunked",
        request(
          "POST",
          "/api/leads",
          [
            ["Content-Length", "3"],
            ["Transfer-Encoding", "chunked"],
          ],
          "0\r\n\r\n",
        ),
      ],
      [
        "Transfer-Encoding gzip, chunked",
        request("POST", "/twilio/recording", [["Transfer-Encoding", "gzip, chunked"]], "0\r\n\r\n"),
      ],
      [
        "Transfer-Encoding xchunked",
        request("POST", "/twilio/recording", [["Transfer-Encoding", "xchunked"]], "0\r\n\r\n"),
      ],
      ["chunked body cut off", request("POST", "/slack/events", [["Transfer-Encoding", "chunked"]], "10\r\nabc")],
      [
        "chunked body without its last chunk",
        request("POST", "/api/leads", [["Transfer-Encoding", "chunked"]], "3\r\nabc\r\n"),
      ],
      [
        "chunk size zz",
        request("POST", "/twilio/status", [["Transfer-Encoding", "chunked"]], "zz\r\nabc\r\n0\r\n\r\n"),
      ],
      [
        "chunk size 2^64",
        request("POST", "/twilio/status", [["Transfer-Encoding", "chunked"]], "ffffffffffffffffff\r\nabc\r\n0\r\n\r\n"),
      ],
      ["a header without a colon", Buffer.from("GET /healthz HTTP/1.1\r\nHost: x\r\nX-No-Colon\r\n\r\n")],
      ["a space before the colon", Buffer.from("GET /healthz HTTP/1.1\r\nHost : x\r\n\r\n")],
      ["a NUL in a header value", request("GET", "/healthz", [["X-Nul", "a\u0000b"]])],
      ["a header name with a space", request("GET", "/healthz", [["X Bad", "v"]])],
      ["a folded header", Buffer.from("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Fold: a\r\n  b\r\n\r\n")],
      ["bare CR line ends", Buffer.from("GET /healthz HTTP/1.1\rHost: x\r\r")],
      ["no Host", Buffer.from("GET /healthz HTTP/1.1\r\n\r\n")],
      ["Expect: nonsense", request("POST", "/slack/events", [["Expect", "nonsense"]], "a=b")],
      ["a 20 KB bearer token", request("GET", "/api/leads/1", [["Authorization", `Bearer ${"x".repeat(20_000)}`]])],
    ];
    for (const [what, bytes] of cases) expectRefused(what, await send(what, Buffer.from(bytes)));
    // Odd but well-formed headers are simply answered (the route decides), never with a 5xx.
    const odd: [string, Buffer][] = [
      ["Expect: 100-continue", request("POST", "/api/leads", [["Expect", "100-continue"]], "{}")],
      ["two Hosts", Buffer.from("GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")],
      ["HTTP/0.9", Buffer.from("GET /healthz HTTP/0.9\r\n\r\n")],
      ["a request line without a version", Buffer.from("GET /healthz\r\nHost: x\r\n\r\n")],
      [
        "an Upgrade to websocket",
        request("GET", "/healthz", [
          ["Connection", "Upgrade"],
          ["Upgrade", "websocket"],
        ]),
      ],
      ["a Latin-1 header value", request("GET", "/healthz", [["X-Latin", "caf\u00e9"]])],
      [
        "two signatures",
        request(
          "POST",
          "/slack/events",
          [
            ["X-Slack-Signature", "v0=a"],
            ["X-Slack-Signature", "v0=b"],
          ],
          "a=b",
        ),
      ],
      [
        "two Twilio signatures",
        request(
          "POST",
          "/twilio/status",
          [
            ["X-Twilio-Signature", "a"],
            ["X-Twilio-Signature", "b"],
          ],
          "a=b",
        ),
      ],
      [
        "a timestamp of 1e309",
        request(
          "POST",
          "/slack/events",
          [
            ["X-Slack-Request-Timestamp", "1e309"],
            ["X-Slack-Signature", "v0=a"],
          ],
          "a=b",
        ),
      ],
      ["Authorization: Basic", request("GET", "/api/leads/1", [["Authorization", "Basic Og=="]])],
      ["Authorization: Bearer with UTF-8", request("GET", "/api/leads/1", [["Authorization", "Bearer \u00ff\u00fe"]])],
      [
        "two Content-Types",
        request(
          "POST",
          "/api/leads",
          [
            ["Authorization", `Bearer ${CHILD_LEADS_TOKEN}`],
            ["Content-Type", "application/json"],
            ["Content-Type", "text/plain"],
          ],
          "{}",
        ),
      ],
    ];
    for (const [what, bytes] of odd) expectNoServerError(what, await send(what, bytes));
    await expectHealthy("malformed headers");
  });

  it("invalid, null, array, deeply nested and binary bodies on every route that reads one get a 4xx", async () => {
    const deepArrays = `${"[".repeat(30_000)}${"]".repeat(30_000)}`;
    const deepObjects = `${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}`;
    const bodies: [string, Buffer | string][] = [
      ["invalid JSON", '{"name": "Jane", '],
      ["JSON null", "null"],
      ["a JSON array", '[{"name":"Jane"}]'],
      ["a JSON string", '"Jane"'],
      ["a JSON number", "1e999"],
      ["JSON true", "true"],
      ["an empty body", ""],
      ["deeply nested arrays", deepArrays],
      ["deeply nested objects", deepObjects],
      ["binary garbage", randomBytes(2048)],
      ["invalid UTF-8", Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x28, 0x8c, 0xbc])],
      ["a prototype-polluting object", '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}'],
      ["form garbage", "payload=%zz&%E0%A4%A=1&&&==&"],
      ["form payload=null", "payload=null"],
      ["form payload=[]", "payload=%5B%5D"],
      ["form payload=deep", `payload=${encodeURIComponent(deepArrays.slice(0, 5_000) + deepArrays.slice(-5_000))}`],
      [
        "20,000 parameters",
        Array.from({ length: 20_000 }, (_, i) => `a${i}=1`)
          .join("&")
          .slice(0, 60_000),
      ],
    ];
    const leadsBefore = await leadCount();
    const now = () => String(Math.floor(Date.now() / 1000));
    for (const [name, body] of bodies) {
      const raw = Buffer.from(body);
      const form: [string, string] = ["Content-Type", "application/x-www-form-urlencoded"];
      const json: [string, string] = ["Content-Type", "application/json"];
      // Unsigned: refused before anything is parsed.
      for (const [route, headers] of [
        ["/slack/events", [form]],
        ["/slack/events", [json]],
        ["/twilio/status", [form]],
        ["/twilio/amd", [form]],
        ["/twilio/voice/menu?call=1", [form]],
        ["/twilio/voice/browser", [form]],
        ["/twilio/voice/dial-done?call=1", [form]],
        ["/twilio/voice/disclosure?call=1", [form]],
        ["/twilio/status/lead?call=1", [form]],
        ["/twilio/recording", [form]],
        ["/api/leads", [json]],
        ["/phone/token", [json]],
      ] as [string, [string, string][]][]) {
        const what = `${name} to ${route} (${headers[0]![1]}, unsigned)`;
        expectRefused(what, await send(what, request("POST", route, headers, raw)));
      }
      // With the bearer token: the lead API parses the body, and refuses it.
      const authorized: [string, string] = ["Authorization", `Bearer ${CHILD_LEADS_TOKEN}`];
      const apiWhat = `${name} to /api/leads (authorized)`;
      const api = await send(apiWhat, request("POST", "/api/leads", [authorized, json], raw));
      expectRefused(apiWhat, api);
      // Signed by Slack: a body that is not an object is a 400; an object Leadline does not handle is acked.
      for (const type of [form, json]) {
        const ts = now();
        const what = `${name} to /slack/events (${type[1]}, signed)`;
        const answer = await send(
          what,
          request(
            "POST",
            "/slack/events",
            [type, ["X-Slack-Request-Timestamp", ts], ["X-Slack-Signature", signSlack(CHILD_SIGNING_SECRET, ts, raw)]],
            raw,
          ),
          { end: false, waitMs: 4_000 },
        );
        expect(answer.status, `${what}: answered`).toBeDefined();
        expectNoServerError(what, answer);
        if (["JSON null", "a JSON array", "a JSON string", "JSON true", "invalid JSON"].includes(name) && type === json)
          expect(answer.status, what).toBe(400);
        if (["form payload=null", "form payload=[]", "form garbage"].includes(name) && type === form)
          expect(answer.status, what).toBe(400);
      }
      // Signed by Twilio: past the signature, the parameters are checked and refused (or politely hung up).
      // The body also names a call (or link) of the workspace, as every webhook Twilio sends does: the
      // signature is checked with that workspace's token; what the garbage says is checked after it.
      const ofCall = { CallSid: seeded.messageCallSid };
      for (const [route, names, voice] of [
        ["/twilio/status", ofCall, false],
        ["/twilio/amd", ofCall, false],
        ["/twilio/recording", ofCall, false],
        [`/twilio/voice/menu?call=${seeded.messageCallId}`, ofCall, true],
        ["/twilio/voice/browser", { link: seeded.linkId }, true],
        // A live call's webhooks name the call by id in the URL Twilio was given.
        [`/twilio/status/lead?call=${seeded.liveCallId}`, {}, false],
        [`/twilio/voice/dial-done?call=${seeded.liveCallId}`, {}, true],
        [`/twilio/voice/disclosure?call=${seeded.liveCallId}`, {}, false],
      ] as [string, Record<string, string>, boolean][]) {
        const what = `${name} to ${route} (signed by Twilio)`;
        const extra = new URLSearchParams(names).toString();
        const named = extra ? Buffer.concat([raw, Buffer.from(`&${extra}`)]) : raw;
        const params = Object.fromEntries(new URLSearchParams(named.toString("utf8")));
        const signature = twilioSignature(account.token, `${CHILD_PUBLIC}${route}`, params);
        const answer = await send(what, request("POST", route, [form, ["X-Twilio-Signature", signature]], named), {
          end: false,
        });
        if (voice) {
          expect(answer.status, what).toBe(200);
          expect(answer.text, what).toContain("<Hangup/>");
        } else {
          expect(isClientError(answer), `${what} → ${JSON.stringify(answer.text.slice(0, 200))}`).toBe(true);
          expect(answer.status, `${what}: refused past the signature`).not.toBe(403);
        }
      }
    }
    expect(await leadCount()).toBe(leadsBefore);
    await expectHealthy("malformed bodies");
  });

  it("a fast-check property: random request lines, paths, headers and bodies never stop the process", async () => {
    const segment = fc.oneof(
      fc.constantFrom(...BAD_ESCAPES, "..", ".", "", "%2F", "?", "#", ";", "~", "@", ":", "1", "-1", "9".repeat(30)),
      fc.string({ maxLength: 12, unit: "grapheme" }),
      fc.stringMatching(/^(%[0-9A-Fa-fzZ]{0,2}){1,6}$/),
    );
    const target = fc.oneof(
      fc
        .tuple(fc.constantFrom(...ROUTES), fc.array(segment, { maxLength: 3 }), fc.option(fc.string({ maxLength: 30 })))
        .map(
          ([route, segments, query]) =>
            `${route}${segments.map((s) => `/${s}`).join("")}${query === null ? "" : `?${query}`}`,
        ),
      fc.string({ maxLength: 40, unit: "binary-ascii" }),
      fc.constantFrom("*", "http://[", "http://x:99999/", "//", "/%", "", "http://127.0.0.1/healthz"),
    );
    const method = fc.oneof(
      fc.constantFrom("GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "TRACE", "PROPFIND", "CONNECT"),
      fc.stringMatching(/^[A-Za-z]{1,12}$/),
      fc.string({ maxLength: 8, unit: "binary-ascii" }),
    );
    const header = fc.tuple(
      fc.oneof(
        fc.constantFrom(
          "Content-Type",
          "Content-Length",
          "Transfer-Encoding",
          "Authorization",
          "X-Slack-Signature",
          "X-Slack-Request-Timestamp",
          "X-Twilio-Signature",
          "Expect",
          "Connection",
          "Upgrade",
          "Host",
          "Cookie",
        ),
        fc.string({ maxLength: 20, unit: "binary-ascii" }),
      ),
      fc.oneof(
        fc.string({ maxLength: 40, unit: "binary-ascii" }),
        fc.string({ maxLength: 20, unit: "grapheme" }),
        fc.constantFrom(
          "application/json",
          "application/x-www-form-urlencoded",
          "chunked",
          "100-continue",
          "-1",
          "99999999999",
          "0",
          "close",
          `Bearer ${CHILD_LEADS_TOKEN}`,
          "v0=abc",
        ),
      ),
    );
    const body = fc.oneof(
      fc.uint8Array({ maxLength: 600 }).map((bytes) => Buffer.from(bytes)),
      fc.jsonValue({ maxDepth: 6 }).map((value) => Buffer.from(JSON.stringify(value) ?? "")),
      fc.string({ maxLength: 200, unit: "grapheme" }).map((text) => Buffer.from(text)),
      fc
        .constantFrom("null", "[]", "payload=null", "payload=%zz", "0\r\n\r\n", "5\r\nab")
        .map((text) => Buffer.from(text)),
    );
    const input = fc.record({
      method,
      target,
      version: fc.constantFrom("HTTP/1.1", "HTTP/1.0", "HTTP/2", "", "HTTP/1.x", "http/1.1"),
      headers: fc.array(header, { maxLength: 8 }),
      body,
      eol: fc.constantFrom("\r\n", "\n", "\r"),
      withLength: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(input, async (r) => {
        const headers = [...(r.withLength ? [["Content-Length", String(r.body.length)]] : []), ...r.headers];
        const head = [
          `${r.method} ${r.target} ${r.version}`,
          "Host: 127.0.0.1",
          ...headers.map(([k, v]) => `${k}: ${v}`),
        ];
        const bytes = Buffer.concat([Buffer.from(`${head.join(r.eol)}${r.eol}${r.eol}`), r.body]);
        const what = `fast-check input ${JSON.stringify(bytes.toString("latin1").slice(0, 300))}`;
        expectNoServerError(what, await send(what, bytes));
      }),
      { numRuns: 400 },
    );
    await expectHealthy("the fast-check property");
    expect(app.output()).not.toContain("route failed");
  }, 60_000);

  it("a fast-check property: signed Slack payloads and commands of any shape never stop the process", async () => {
    const anything = fc.jsonValue({ maxDepth: 3 });
    const responseUrl = fc.oneof(
      fc.constant(null).map(() => slack.responseUrl()),
      fc.constantFrom("", "not a url", "javascript:alert(1)"),
    );
    const action = fc.record(
      {
        type: fc.constantFrom("button", "static_select", "overflow"),
        action_id: fc.oneof(fc.constantFrom(...OUR_ACTIONS), fc.string({ maxLength: 20 })),
        block_id: anything,
        value: fc.oneof(fc.constantFrom("1", "0", "-1", "1e3", "999999999999", "abc", "", '{"name":null}'), anything),
        action_ts: fc.oneof(fc.constant("1760000000.000001"), anything),
      },
      { requiredKeys: [] },
    );
    const view = fc.record(
      {
        id: anything,
        callback_id: fc.oneof(fc.constantFrom(...OUR_VIEWS), anything),
        private_metadata: fc.oneof(
          fc.constantFrom("{}", '{"leadId":1}', '{"leadId":-1,"channel":1}', "null", "[]"),
          anything,
        ),
        state: fc.oneof(fc.record({ values: fc.dictionary(fc.string({ maxLength: 20 }), anything) }), anything),
        blocks: anything,
      },
      { requiredKeys: [] },
    );
    const interaction = fc
      .record(
        {
          type: fc.oneof(
            fc.constantFrom(
              "block_actions",
              "view_submission",
              "view_closed",
              "shortcut",
              "message_action",
              "block_suggestion",
              "interactive_message",
              "event_callback",
              "url_verification",
            ),
            anything,
          ),
          user: fc.oneof(
            fc.record(
              { id: fc.oneof(fc.constantFrom("U0MARIA01", "U0ADMIN01"), anything), name: anything },
              { requiredKeys: [] },
            ),
            anything,
          ),
          team: fc.oneof(fc.record({ id: fc.constantFrom("T0LEADLINE", "TOTHER") }), anything),
          actions: fc.oneof(fc.array(action, { maxLength: 2 }), anything),
          view: fc.oneof(view, anything),
          container: anything,
          channel: fc.oneof(fc.record({ id: fc.constantFrom("C0LEADS001", "D0DM", "") }), anything),
          message: anything,
          trigger_id: anything,
          response_url: responseUrl,
          event: anything,
          challenge: anything,
        },
        { requiredKeys: ["type"] },
      )
      .map((payload) => new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
    const command = fc
      .record(
        {
          command: fc.oneof(fc.constantFrom("/lead", "/call-lead", "/twilio-setup"), fc.string({ maxLength: 12 })),
          text: fc.oneof(
            fc.string({ maxLength: 60, unit: "grapheme" }),
            fc.constantFrom(
              "add",
              "settings",
              "status",
              "clear",
              "#1",
              "#-1",
              "#99999999999",
              "jane bridge",
              "\u0000",
              "%",
            ),
          ),
          user_id: fc.constantFrom("U0MARIA01", "U0ADMIN01", "", "not-a-user"),
          channel_id: fc.constantFrom("C0LEADS001", "", "D0DM"),
          trigger_id: fc.string({ maxLength: 20 }),
          team_id: fc.constantFrom("T0LEADLINE", ""),
          response_url: responseUrl,
        },
        { requiredKeys: ["command"] },
      )
      .map((fields) => new URLSearchParams(fields as Record<string, string>).toString());
    await fc.assert(
      fc.asyncProperty(fc.oneof(interaction, command), async (body) => {
        const ts = String(Math.floor(Date.now() / 1000));
        const bytes = request(
          "POST",
          "/slack/events",
          [
            ["Content-Type", "application/x-www-form-urlencoded"],
            ["X-Slack-Request-Timestamp", ts],
            ["X-Slack-Signature", signSlack(CHILD_SIGNING_SECRET, ts, body)],
          ],
          body,
        );
        const what = `signed ${body.slice(0, 300)}`;
        // Sent as Slack sends it, the connection left open for the answer (Node ends a half-closed
        // connection, and an answer that takes a Slack lookup would find it gone).
        const answer = await rawRequest(app.port, bytes, { waitMs: 4_000, end: false });
        app.assertAlive(what);
        // Answered, never with a 5xx: a signed object without Slack's fields is a 400 (slack-requests
        // has the cases), anything else Leadline does not handle is acknowledged.
        expect(answer.status, what).toBeDefined();
        expect(answer.status!, `${what} → ${answer.text.slice(0, 300)}`).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
    await expectHealthy("the signed payloads");
    // Work the listeners left running (posts, views) ends without taking the process down: a graceful
    // stop waits for every background task (Leadline's stop drains them) and then exits 0.
    expect(await app.kill("SIGTERM"), app.output().slice(-4000)).toBe(0);
    expect(app.output()).not.toContain("unhandled promise rejection");
  }, 60_000);
});

/** Leads in the child's database, read over a connection of our own. */
async function leadCount(): Promise<number> {
  const [row] = await childSql<{ n: number | string }>(app, `SELECT count(*) AS n FROM "Lead"`);
  return Number(row!.n);
}

describe("an unhandled promise rejection", () => {
  it("is logged and never stops the process", async () => {
    const fixture = pathToFileURL(join(import.meta.dirname, "fixtures", "late-rejection.mjs")).href;
    const own = await startChildApp({ slack, imports: [fixture] });
    try {
      await eventually(
        () => {
          own.assertAlive("the rejection");
          return own.output().includes("unhandled promise rejection (recovered)");
        },
        "the rejection to be logged",
        12_000,
      );
      const line = own
        .output()
        .split("\n")
        .find((l) => l.includes("unhandled promise rejection (recovered)"))!;
      expect(JSON.parse(line)).toMatchObject({ level: 50, msg: "unhandled promise rejection (recovered)" });
      expect(line).toContain("test rejection");
      // The rejection was handled where it was logged (an unhandled one ends Node in that same turn):
      // a request answered after the log line proves the process went on.
      expect(await own.healthz()).toBe(200);
      own.assertAlive("the rejection");
    } finally {
      await own.stop();
    }
  }, 40_000);
});
