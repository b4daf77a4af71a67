import { randomBytes } from "node:crypto";
import { LiveMap } from "../../sandbox/lib/live-map.js";
import {
  randomSid,
  type SimAccount,
  startTwilioSimulator,
  type TwilioRequest,
  type TwilioSimulator,
} from "../../sandbox/twilio/simulator.js";

// The tests' view of the simulated Twilio (sandbox/twilio/simulator.ts), the one Twilio the sandbox
// runs too. Calls are held (they stay `queued`): the tests send the status callbacks themselves.

type Json = Record<string, unknown>;

export type { TwilioRequest };

export interface FakeAccount {
  sid: string;
  token: string;
  numbers: Set<string>;
  /** Twilio's own opt-out handling (on unless Twilio Support turned it off for the account). */
  stopFiltering?: boolean;
}

export interface FakeTwilio {
  url: string;
  requests: TwilioRequest[];
  accounts: Map<string, FakeAccount>;
  calls: Map<string, Json>;
  /** Milliseconds to wait before answering, per operation: account, numbers, createCall, fetchCall, listCalls, updateCall. */
  delays: Map<string, number>;
  /** Per operation: answer only once the promise settles (a Twilio as slow as the test needs, no clock). */
  holds: Map<string, Promise<unknown>>;
  /** Destroy the socket without answering (a network failure) for the next N creates. */
  dropNextCreates: number;
  /** Whether a dropped create was still placed on Twilio's side (the ambiguous case). */
  dropPlacesCall: boolean;
  addAccount(account?: { sid?: string; token?: string; numbers?: string[] }): FakeAccount;
  creates(): TwilioRequest[];
  /** The simulator itself, for fault injection the fake's own fields do not cover (failNextCreates, unreachable…). */
  sim: TwilioSimulator;
  close(): Promise<void>;
}

export const fakeSid = randomSid;

/** The simulator's account under the fake's names: `token` is its Auth Token, `numbers` the same set. */
function accountView(account: SimAccount): FakeAccount {
  return {
    sid: account.sid,
    get token() {
      return account.authToken;
    },
    set token(value: string) {
      account.authToken = value;
    },
    numbers: account.numbers,
    get stopFiltering() {
      return account.stopFiltering;
    },
    set stopFiltering(value: boolean | undefined) {
      account.stopFiltering = value;
    },
  };
}

/**
 * `play` (with a `pace`) makes the simulator play calls out itself, webhooks included (a test of a
 * whole flow, such as a queue run, whose app is reachable at its PUBLIC_BASE_URL).
 */
export async function startFakeTwilio(options: { play?: { pace: number } } = {}): Promise<FakeTwilio> {
  const sim: TwilioSimulator = await startTwilioSimulator({
    callFlow: options.play ? "play" : "hold",
    pace: options.play?.pace,
    recordRequests: true,
  });
  const views = new WeakMap<SimAccount, FakeAccount>();
  const view = (account: SimAccount) => {
    let found = views.get(account);
    if (!found) {
      found = accountView(account);
      views.set(account, found);
    }
    return found;
  };
  const add = (account: FakeAccount) =>
    view(sim.addAccount({ sid: account.sid, authToken: account.token, numbers: account.numbers }));

  return {
    url: sim.url,
    requests: sim.requests,
    accounts: new LiveMap<string, FakeAccount>({
      entries: () => [...sim.accounts].map(([sid, account]) => [sid, view(account)]),
      get: (sid) => {
        const account = sim.accounts.get(sid);
        return account && view(account);
      },
      set: (_sid, account) => void add(account),
      delete: (sid) => sim.accounts.delete(sid),
    }),
    calls: new LiveMap<string, Json>({
      entries: () => [...sim.calls.keys()].map((sid) => [sid, sim.resource(sid)!]),
      get: (sid) => sim.resource(sid),
    }),
    delays: sim.faults.delays,
    holds: sim.faults.holds!,
    get dropNextCreates() {
      return sim.faults.dropNextCreates;
    },
    set dropNextCreates(value: number) {
      sim.faults.dropNextCreates = value;
    },
    get dropPlacesCall() {
      return sim.faults.dropPlacesCall;
    },
    set dropPlacesCall(value: boolean) {
      sim.faults.dropPlacesCall = value;
    },
    addAccount(partial = {}) {
      return add({
        sid: partial.sid ?? randomSid("AC"),
        token: partial.token ?? randomBytes(16).toString("hex"),
        numbers: new Set(partial.numbers ?? ["+15005550006"]),
      });
    },
    creates: () => sim.requests.filter((r) => r.method === "POST" && /\/Calls\.json$/.test(r.path)),
    sim,
    close: () => sim.close(),
  };
}
