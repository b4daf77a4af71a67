import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { MAGIC_TO } from "../../src/sandbox/twilio/simulator.js";

type Json = Record<string, unknown>;

export interface TwilioRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  params: URLSearchParams;
  accountSid?: string;
  at: number;
}

export interface FakeAccount {
  sid: string;
  token: string;
  numbers: Set<string>;
}

export interface FakeTwilio {
  url: string;
  requests: TwilioRequest[];
  accounts: Map<string, FakeAccount>;
  calls: Map<string, Json>;
  /** Milliseconds to wait before answering, per operation: account, numbers, createCall, fetchCall, listCalls, updateCall. */
  delays: Map<string, number>;
  /** Destroy the socket without answering (a network failure) for the next N creates. */
  dropNextCreates: number;
  /** Whether a dropped create was still placed on Twilio's side (the ambiguous case). */
  dropPlacesCall: boolean;
  addAccount(account?: { sid?: string; token?: string; numbers?: string[] }): FakeAccount;
  creates(): TwilioRequest[];
  close(): Promise<void>;
}

// Parameter names Twilio accepts on Calls create, from test/reference/twilio/calls_create.json.
const callsSpec = JSON.parse(
  readFileSync(new URL("../reference/twilio/calls_create.json", import.meta.url), "utf8"),
) as Json;
const CREATE_PARAMS = new Set(
  Object.keys(
    (((callsSpec.operation as Json).requestBody as Json).content as Record<string, { schema: { properties: Json } }>)[
      "application/x-www-form-urlencoded"
    ]!.schema.properties,
  ),
);

const hex = (bytes: number) => randomBytes(bytes).toString("hex");
export const fakeSid = (prefix: string) => `${prefix}${hex(16)}`;

function rfc2822(date: Date): string {
  return date.toUTCString().replace("GMT", "+0000");
}

export async function startFakeTwilio(): Promise<FakeTwilio> {
  const requests: TwilioRequest[] = [];
  const accounts = new Map<string, FakeAccount>();
  const calls = new Map<string, Json>();
  const delays = new Map<string, number>();
  const state = { dropNextCreates: 0, dropPlacesCall: true };

  const error = (status: number, code: number, message: string) => ({
    status,
    body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
  });

  const route = (
    req: TwilioRequest,
    auth: { user: string; pass: string } | undefined,
  ): { op: string; status: number; body: Json } => {
    const match = /^\/2010-04-01\/Accounts\/([^/]+?)(?:\.json|\/(.+))$/.exec(req.path);
    if (!match) return { op: "unknown", ...error(404, 20404, "The requested resource was not found") };
    const sid = match[1]!;
    const rest = match[2];
    const account = accounts.get(sid);
    if (!auth || !account || auth.user !== sid || auth.pass !== account.token) {
      // Same operation name as a success, so configured delays apply to refusals too.
      const op = !rest
        ? "account"
        : rest.startsWith("IncomingPhoneNumbers")
          ? "numbers"
          : rest === "Calls.json" && req.method === "POST"
            ? "createCall"
            : "auth";
      return { op, ...error(401, 20003, "Authenticate") };
    }
    if (!rest && req.method === "GET") {
      return {
        op: "account",
        status: 200,
        body: {
          sid,
          friendly_name: "Leadline test account",
          status: "active",
          type: "Full",
          date_created: rfc2822(new Date()),
        },
      };
    }
    if (rest === "IncomingPhoneNumbers.json" && req.method === "GET") {
      const wanted = req.query.get("PhoneNumber");
      const list = [...account.numbers].filter((number) => !wanted || number === wanted);
      return {
        op: "numbers",
        status: 200,
        body: {
          incoming_phone_numbers: list.map((number) => ({
            sid: fakeSid("PN"),
            phone_number: number,
            account_sid: sid,
            capabilities: { voice: true },
          })),
          page: 0,
          page_size: 50,
          next_page_uri: null,
          uri: `/2010-04-01/Accounts/${sid}/IncomingPhoneNumbers.json`,
        },
      };
    }
    if (rest === "Calls.json" && req.method === "POST") return { op: "createCall", ...createCall(account, req.params) };
    if (rest === "Calls.json" && req.method === "GET") {
      const to = req.query.get("To");
      const from = req.query.get("From");
      const after = req.query.get("StartTime>");
      const list = [...calls.values()].filter(
        (call) =>
          call.account_sid === sid &&
          (!to || call.to === to) &&
          (!from || call.from === from) &&
          (!after || new Date(call.date_created as string).getTime() >= new Date(after).getTime() - 86_400_000),
      );
      return {
        op: "listCalls",
        status: 200,
        body: { calls: list, page: 0, page_size: 50, next_page_uri: null, uri: req.path },
      };
    }
    const recording = /^Recordings\/(RE[0-9a-f]{32})\.mp3$/.exec(rest ?? "");
    if (recording && req.method === "GET") {
      return { op: "recording", status: 200, body: { __audio: `ID3 fake mp3 audio for ${recording[1]}` } };
    }
    const callMatch = /^Calls\/(CA[0-9a-f]{32})\.json$/.exec(rest ?? "");
    if (callMatch) {
      const call = calls.get(callMatch[1]!);
      if (!call || call.account_sid !== sid)
        return { op: "fetchCall", ...error(404, 20404, "The requested resource was not found") };
      if (req.method === "POST") {
        for (const [key, value] of req.params) call[`update_${key}`] = value;
        if (req.params.get("Status")) call.status = req.params.get("Status");
        return { op: "updateCall", status: 200, body: call };
      }
      return { op: "fetchCall", status: 200, body: call };
    }
    return { op: "unknown", ...error(404, 20404, "The requested resource was not found") };
  };

  const createCall = (account: FakeAccount, params: URLSearchParams): { status: number; body: Json } => {
    for (const key of params.keys()) {
      if (!CREATE_PARAMS.has(key)) return error(400, 21205, `Unknown parameter ${key}`);
    }
    const to = params.get("To");
    const from = params.get("From");
    if (!to) return error(400, 21201, "No 'To' number is specified");
    if (!from) return error(400, 21213, "No 'From' number is specified");
    if (!params.get("Url") && !params.get("Twiml") && !params.get("ApplicationSid")) {
      return error(400, 21205, "Url, Twiml or ApplicationSid is required");
    }
    const twiml = params.get("Twiml");
    if (twiml && twiml.length > 4000) return error(400, 21230, "Twiml exceeds 4000 characters");
    if (!account.numbers.has(from))
      return error(400, 21210, `The source phone number provided, ${from}, is not yet verified for your account.`);
    const magic = MAGIC_TO[to];
    if (magic) return error(400, magic[0], magic[1]);
    if (!/^\+[1-9]\d{6,14}$/.test(to)) return error(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    const sid = fakeSid("CA");
    const now = new Date();
    const call: Json = {
      sid,
      account_sid: account.sid,
      to,
      from,
      status: "queued",
      direction: "outbound-api",
      answered_by: null,
      duration: null,
      price: null,
      price_unit: "USD",
      start_time: null,
      end_time: null,
      date_created: rfc2822(now),
      date_updated: rfc2822(now),
      api_version: "2010-04-01",
      uri: `/2010-04-01/Accounts/${account.sid}/Calls/${sid}.json`,
    };
    calls.set(sid, call);
    return { status: 201, body: call };
  };

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const params = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
    const header = req.headers.authorization ?? "";
    const decoded = header.startsWith("Basic ") ? Buffer.from(header.slice(6), "base64").toString("utf8") : "";
    const auth = decoded.includes(":")
      ? { user: decoded.split(":")[0]!, pass: decoded.slice(decoded.indexOf(":") + 1) }
      : undefined;
    const request: TwilioRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      params,
      accountSid: auth?.user,
      at: Date.now(),
    };
    requests.push(request);
    const isCreate = request.method === "POST" && /\/Calls\.json$/.test(url.pathname);
    if (isCreate && state.dropNextCreates > 0) {
      state.dropNextCreates -= 1;
      // Twilio got the request and placed the call, but the answer never arrives.
      const sid = /Accounts\/([^/]+)\//.exec(url.pathname)?.[1];
      const account = sid ? accounts.get(sid) : undefined;
      if (account && state.dropPlacesCall) createCall(account, params);
      req.socket.destroy();
      return;
    }
    const result = route(request, auth);
    const delay = delays.get(result.op) ?? 0;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    if (typeof result.body.__audio === "string") {
      res.writeHead(200, { "content-type": "audio/mpeg" });
      res.end(result.body.__audio);
      return;
    }
    res.writeHead(result.status, { "content-type": "application/json" });
    res.end(JSON.stringify(result.body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    requests,
    accounts,
    calls,
    delays,
    get dropNextCreates() {
      return state.dropNextCreates;
    },
    set dropNextCreates(value: number) {
      state.dropNextCreates = value;
    },
    get dropPlacesCall() {
      return state.dropPlacesCall;
    },
    set dropPlacesCall(value: boolean) {
      state.dropPlacesCall = value;
    },
    addAccount(partial = {}) {
      const account: FakeAccount = {
        sid: partial.sid ?? fakeSid("AC"),
        token: partial.token ?? hex(16),
        numbers: new Set(partial.numbers ?? ["+15005550006"]),
      };
      accounts.set(account.sid, account);
      return account;
    },
    creates: () => requests.filter((r) => r.method === "POST" && /\/Calls\.json$/.test(r.path)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
