import type { SimContext } from "../context.js";
import type { SimAccount } from "../model.js";
import type { RestResult } from "../rest-kit.js";

/**
 * One REST operation of the simulated Twilio. A resource module (calls.ts, phone-numbers.ts, …)
 * exports its routes; router.ts tries them in order. A new resource is a new module and one line
 * in router.ts's table.
 */
export interface RestRoute {
  /** The name fault injection knows it by (`faults.delays`): createCall, numbers, … */
  operation: string;
  method: "GET" | "POST" | "DELETE";
  /**
   * For the 2010 API, matched against the path after `/2010-04-01/Accounts/{AccountSid}` ("" for
   * the account itself, else "/Calls.json" …); for the newer APIs (`api: "v1"`), the whole path.
   */
  path: RegExp;
  /** "2010" (default): the account is in the path; "v1": the account is the Basic auth user. */
  api?: "2010" | "v1";
  handle(request: RestRequest): RestResult;
}

export interface RestRequest {
  ctx: SimContext;
  account: SimAccount;
  /** The route's path match: its groups are the SIDs in the path. */
  match: RegExpExecArray;
  /** The request's path, as sent (paging links repeat it). */
  path: string;
  query: URLSearchParams;
  params: URLSearchParams;
}
