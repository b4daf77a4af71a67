import { createHmac, timingSafeEqual } from "node:crypto";
import type { SimContext } from "./context.js";
import { FINAL, type Json, newCall, type SimAccount, type SimCall } from "./model.js";
import { randomSid, rfc2822 } from "./rest-kit.js";
import { play } from "./twiml-player.js";
import { callParams } from "./webhooks.js";

/**
 * The browser edge: a Voice SDK stand-in on the softphone page connects (with an access token
 * minted from one of the account's API keys) and hangs up here; Twilio asks the token's TwiML App
 * what to do. https://www.twilio.com/docs/iam/access-tokens, https://www.twilio.com/docs/voice/sdks/javascript
 */

/** Verifies an access token minted with one of the account's API keys (HS256), as Twilio's edge does. */
function verifyAccessToken(
  token: string,
  accounts: Map<string, SimAccount>,
): { account: SimAccount; identity: string; appSid: string } {
  const [header, payload, signature] = token.split(".");
  if (!header || !payload || !signature) throw new Error("AccessToken is malformed (20101)");
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as {
    iss?: string;
    sub?: string;
    exp?: number;
    grants?: { identity?: string; voice?: { outgoing?: { application_sid?: string } } };
  };
  const account = accounts.get(claims.sub ?? "");
  const secret = account?.apiKeys.get(claims.iss ?? "");
  if (!account || !secret) throw new Error("AccessToken is invalid: unknown API key (20103)");
  const expected = createHmac("sha256", secret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new Error("AccessToken signature validation failed (20107)");
  if (!claims.exp || claims.exp * 1000 < Date.now()) throw new Error("AccessToken expired (20104)");
  const appSid = claims.grants?.voice?.outgoing?.application_sid ?? "";
  if (!account.apps.has(appSid)) throw new Error("The TwiML App in the token does not exist (21218)");
  return { account, identity: claims.grants?.identity ?? "", appSid };
}

/** The edge's routes: POST /sandbox/voice/connect, GET /sandbox/voice/calls/{sid}, POST …/hangup. */
export async function voiceEdge(ctx: SimContext, path: string, body: Json): Promise<{ status: number; body: Json }> {
  if (path === "/sandbox/voice/connect") return connect(ctx, body);
  const match = /^\/sandbox\/voice\/calls\/(CA[0-9a-f]{32})(\/hangup)?$/.exec(path);
  const call = match ? ctx.calls.get(match[1]!) : undefined;
  if (!call) return { status: 404, body: { message: "no such call" } };
  if (match?.[2]) {
    call.generation += 1;
    ctx.note(call, "the agent hung up in the browser");
  }
  return { status: 200, body: { status: call.status, transcript: call.transcript } };
}

function connect(ctx: SimContext, body: Json): { status: number; body: Json } {
  let verified: ReturnType<typeof verifyAccessToken>;
  try {
    verified = verifyAccessToken(String(body.token ?? ""), ctx.accounts);
  } catch (error) {
    return { status: 401, body: { message: (error as Error).message } };
  }
  const custom = Object.fromEntries(
    Object.entries((body.params as Record<string, unknown> | undefined) ?? {}).map(([k, v]) => [k, String(v)]),
  );
  const call = newCall({
    sid: randomSid("CA"),
    accountSid: verified.account.sid,
    to: "",
    from: `client:${verified.identity}`,
    direction: "inbound",
    status: "ringing",
    twiml: "<Response/>",
  });
  ctx.calls.set(call.sid, call);
  ctx.note(call, `browser call from ${call.from}`);
  void runBrowser(ctx, call, verified.account, verified.appSid, custom);
  return { status: 200, body: { callSid: call.sid } };
}

/** A browser (Voice SDK) call: Twilio asks the TwiML App's voice URL what to do, then plays it. */
async function runBrowser(
  ctx: SimContext,
  call: SimCall,
  account: SimAccount,
  appSid: string,
  custom: Record<string, string>,
): Promise<void> {
  const app = account.apps.get(appSid)!;
  try {
    call.twiml = await ctx.webhook(account, app.voiceUrl, { ...callParams(call), ApplicationSid: appSid, ...custom });
    call.documentUrl = app.voiceUrl;
    call.answeredAt = Date.now();
    call.status = "in-progress";
    ctx.note(call, "browser connected");
    await play(ctx, call, ctx.scenario(call.to));
  } catch (error) {
    ctx.note(call, `application error: ${(error as Error).message}`);
  }
  if (FINAL.has(call.status)) return;
  call.endedAt = new Date();
  call.duration = ctx.simSeconds(call);
  call.status = "completed";
  ctx.note(call, "status: completed");
  // A TwiML App's status callback gets the end of the call, with its duration.
  if (!app.statusCallback) return;
  await ctx
    .webhook(account, app.statusCallback, {
      ...callParams(call),
      CallbackSource: "call-progress-events",
      SequenceNumber: String(call.sequence++),
      Timestamp: rfc2822(new Date()),
      CallDuration: String(call.duration),
      Duration: String(Math.ceil(call.duration / 60)),
    })
    .catch((error: unknown) => ctx.log.warn({ err: error }, "browser status callback was not accepted"));
}
