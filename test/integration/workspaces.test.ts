import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ids, leadFields, setupFields } from "../../src/lib/ids.js";
import { createOAuthStateStore } from "../../src/services/workspaces/oauth-state-store.js";
import {
  CHANNEL,
  dropSharedDatabase,
  eventually,
  expectNowhereInDatabase,
  SIGNING_SECRET,
  type StartOptions,
  settled,
  startTestApp,
  type TestApp,
  withConsent,
} from "../helpers/app.js";
import { forCall, reference } from "../helpers/callbacks.js";
import { type FakeSlack, startFakeSlack } from "../helpers/fake-slack.js";
import { type FakeAccount, type FakeTwilio, fakeSid, startFakeTwilio } from "../helpers/fake-twilio.js";
import { buttonClick, viewSubmission } from "../helpers/payloads.js";
import { slackSignature } from "../helpers/signing.js";

// Multi-workspace mode: Leadline installed through Slack's OAuth (the simulated Slack's authorize
// page and oauth.v2.access), every workspace a tenant of its own, tokens encrypted, rotated and
// deleted when Slack says the app was uninstalled.

type Json = Record<string, unknown>;

const PUBLIC = "https://leadline.example.com";
const CLIENT_ID = "4100000001.5200000002";
const CLIENT_SECRET = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const STATE_SECRET = "state-secret-0123456789abcdef01234567";
const SCOPES = "commands,chat:write,users:read,files:write,im:write";

const TEAM_A = "T0ACME0001";
const TEAM_B = "T0BRAVO001";
const ADMIN_A = "U0ADMINA01";
const ADMIN_B = "U0ADMINB01";
const AGENT_A = "U0AGENTA01";
const AGENT_B = "U0AGENTB01";
/** The same person's phone is a lead in both workspaces. */
const PHONE = "+12125550182";
const FROM_A = "+12125550101";
const FROM_B = "+13125550102";
const CARD_TS = "1760000000.000100";

/** The environment of multi-workspace mode against the simulated Slack. */
function oauthEnv(slack: FakeSlack): Record<string, string | undefined> {
  return {
    SLACK_CLIENT_ID: CLIENT_ID,
    SLACK_CLIENT_SECRET: CLIENT_SECRET,
    SLACK_STATE_SECRET: STATE_SECRET,
    SLACK_AUTHORIZE_URL: `${slack.url}/oauth/v2/authorize`,
    PUBLIC_BASE_URL: PUBLIC,
    SLACK_BOT_TOKEN: undefined,
    LEADS_API_TOKEN: undefined,
  };
}

/** A simulated Slack that knows the app (its credentials and Redirect URL) and the test's teams. */
async function slackWithApp(rotation?: { expiresIn: number }): Promise<FakeSlack> {
  const slack = await startFakeSlack();
  slack.sim.oauth.configure({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri: `${PUBLIC}/slack/oauth_redirect`,
    tokenRotation: Boolean(rotation),
    expiresIn: rotation?.expiresIn ?? 43_200,
  });
  slack.sim.oauth.addTeam({ id: TEAM_A, name: "Acme Realty", domain: "acme-realty" });
  slack.sim.oauth.addTeam({ id: TEAM_B, name: "Bravo Homes", domain: "bravo-homes" });
  const users = slack.sim.workspace.users;
  users.set(ADMIN_A, { id: ADMIN_A, name: "maria", is_admin: true, team: TEAM_A });
  users.set(AGENT_A, { id: AGENT_A, name: "sam", team: TEAM_A });
  users.set(ADMIN_B, { id: ADMIN_B, name: "bea", is_admin: true, team: TEAM_B });
  users.set(AGENT_B, { id: AGENT_B, name: "ben", team: TEAM_B });
  return slack;
}

function startOAuthApp(slack: FakeSlack, options: StartOptions = {}): Promise<TestApp> {
  return startTestApp({ ...options, slack, env: { ...oauthEnv(slack), ...options.env } });
}

interface Installed {
  ws: number;
  token: string;
  refreshToken?: string;
}

/**
 * Installs Leadline into `team` as a browser does: /slack/install redirects to Slack's authorize
 * page (with the state cookie set), the installer picks the team there, Slack redirects back to
 * /slack/oauth_redirect with a code, and the browser brings the cookie along.
 */
async function install(t: TestApp, team: string, installer: string): Promise<Installed> {
  const started = await fetch(`${t.url}/slack/install`, { redirect: "manual" });
  expect(started.status).toBe(302);
  const cookie = (started.headers.get("set-cookie") ?? "").split(";")[0]!;
  expect(cookie).toMatch(/^slack-app-oauth-state=.+/);
  const authorize = new URL(started.headers.get("location") ?? "");
  expect(`${authorize.origin}${authorize.pathname}`).toBe(`${t.slack.url}/oauth/v2/authorize`);
  expect(authorize.searchParams.get("client_id")).toBe(CLIENT_ID);
  expect(authorize.searchParams.get("scope")).toBe(SCOPES);
  expect(authorize.searchParams.get("redirect_uri")).toBe(`${PUBLIC}/slack/oauth_redirect`);
  authorize.searchParams.set("team", team);
  authorize.searchParams.set("user", installer);
  const approved = await fetch(authorize, { redirect: "manual" });
  expect(approved.status).toBe(302);
  const back = new URL(approved.headers.get("location") ?? "");
  expect(`${back.origin}${back.pathname}`).toBe(`${PUBLIC}/slack/oauth_redirect`);
  expect(back.searchParams.get("state")).toBe(authorize.searchParams.get("state"));
  const finished = await fetch(`${t.url}${back.pathname}${back.search}`, { headers: { cookie }, redirect: "manual" });
  const page = await finished.text();
  expect(finished.status, page).toBe(200);
  expect(page).toContain("Leadline is installed");
  const issued = t.slack.sim.oauth.tokensOf(team).at(-1)!;
  const refreshToken = [...t.slack.sim.oauth.refreshTokens].filter(([, grant]) => grant.team.id === team).at(-1)?.[0];
  const workspace = await t.app.deps.db.workspace.findUniqueOrThrow({
    where: { enterpriseId_teamId: { enterpriseId: "", teamId: team } },
  });
  return { ws: workspace.id, token: issued.token, refreshToken };
}

/** A slash command from a user of `team` (test/helpers' command, with the team's ids). */
function command(t: TestApp, team: string, name: string, text: string, user: string, responseUrl?: string) {
  return t.command(name, text, user, {
    team_id: team,
    team_domain: team.toLowerCase(),
    ...(responseUrl ? { response_url: responseUrl } : {}),
  });
}

/** The JSON a command was answered with (its ack), or "" when Leadline answered nothing. */
async function answerOf(res: Response): Promise<Json | ""> {
  expect(res.status).toBe(200);
  const text = await res.text();
  return text ? (JSON.parse(text) as Json) : "";
}

/** A payload test/helpers built for the test team, re-addressed to `team` as Slack would send it. */
function inTeam(payload: Json, team: string): Json {
  const moved = structuredClone(payload) as Json & { user?: Json; view?: Json };
  moved.team = { id: team, domain: team.toLowerCase() };
  if (moved.user) moved.user.team_id = team;
  if (moved.view) moved.view.team_id = team;
  return moved;
}

function click(t: TestApp, team: string, user: string, actionId: string, value: string, responseUrl: string) {
  return t.interact(
    inTeam(buttonClick({ userId: user, actionId, value, channel: CHANNEL, messageTs: CARD_TS, responseUrl }), team),
  );
}

/** What was posted to one response_url (a click's or a command's answer). */
function toldOn(t: TestApp, responseUrl: string, what: string): Promise<Json> {
  const path = new URL(responseUrl).pathname;
  return eventually(() => t.slack.responses.find((r) => r.path === path)?.body, what);
}

/** A signed Events API request, as Slack sends app_uninstalled and tokens_revoked. */
function slackEvent(
  t: TestApp,
  team: string,
  event: Json,
  envelope: { eventId?: string; eventTime?: number } = {},
): Promise<Response> {
  const now = Math.floor(Date.now() / 1000);
  const body = JSON.stringify({
    token: "legacy",
    team_id: team,
    api_app_id: "A0LEADLINE",
    event: { ...event, event_ts: `${envelope.eventTime ?? now}.000200` },
    type: "event_callback",
    event_id: envelope.eventId ?? `Ev${randomBytes(5).toString("hex").toUpperCase()}`,
    event_time: envelope.eventTime ?? now,
    authorizations: [
      {
        enterprise_id: null,
        team_id: team,
        user_id: t.slack.sim.oauth.teams.get(team)?.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
  });
  return t.post("/slack/events", body, {
    "content-type": "application/json",
    "x-slack-request-timestamp": String(now),
    "x-slack-signature": slackSignature(SIGNING_SECRET, now, body),
  });
}

/** An admin connects the workspace's own Twilio account through /twilio-setup (the modal, verified with Twilio). */
async function connectTwilio(t: TestApp, team: string, admin: string, account: FakeAccount, from: string) {
  const before = t.slack.callsTo("views.open").length;
  await answerOf(await command(t, team, "/twilio-setup", "", admin));
  const opened = await eventually(
    () => t.slack.callsTo("views.open").length > before && t.slack.callsTo("views.open").at(-1),
    "the /twilio-setup modal",
  );
  const view = [...t.slack.views.values()].at(-1)!;
  const res = await t.interact(
    inTeam(
      viewSubmission(view, admin, {
        [setupFields.accountSid]: account.sid,
        [setupFields.authToken]: account.token,
        [setupFields.phoneNumber]: from,
        [setupFields.apiKeySid]: fakeSid("SK"),
        [setupFields.apiKeySecret]: randomBytes(16).toString("hex"),
        [setupFields.twimlAppSid]: fakeSid("AP"),
      }),
      team,
    ),
  );
  const answer = (await answerOf(res)) as Json;
  expect(answer.response_action, JSON.stringify(answer)).toBe("update");
  return opened;
}

/** `/twilio-setup api-token`: a single-use link to a page that shows the workspace's new lead API token once. */
async function leadApiToken(t: TestApp, team: string, admin: string): Promise<string> {
  const responseUrl = t.slack.responseUrl();
  await answerOf(await command(t, team, "/twilio-setup", "api-token", admin, responseUrl));
  const told = JSON.stringify(await toldOn(t, responseUrl, "the api-token answer"));
  const link = /"url":"([^"]+)"/.exec(told)?.[1] ?? "";
  expect(link).toMatch(/^https:\/\/leadline\.example\.com\/api-token\?ws=\d+&t=[\w-]+$/);
  const local = link.replace(PUBLIC, t.url);
  const page = await fetch(local);
  expect(page.status).toBe(200);
  const token = /<code>(ll_[\w-]+)<\/code>/.exec(await page.text())?.[1] ?? "";
  expect(token).not.toBe("");
  expect(told).not.toContain(token);
  expect((await fetch(local)).status).toBe(410);
  return token;
}

function leadApi(t: TestApp, token: string, method: "GET" | "POST", path: string, body?: Json) {
  return fetch(`${t.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

describe("the simulated Slack's OAuth answers as Slack does", () => {
  let slack: FakeSlack;
  const web = (method: string, args: Json, headers: Record<string, string> = {}) =>
    fetch(`${slack.apiUrl}${method}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(args as Record<string, string>),
    }).then((res) => res.json() as Promise<Json>);
  const basic = (id: string, secret: string) => ({
    authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`,
  });
  const REDIRECT = `${PUBLIC}/slack/oauth_redirect`;
  /** The installer approves the app for `team` on the authorize page; the code Slack redirects back with. */
  async function code(team: string, query: Record<string, string> = {}): Promise<URL> {
    const url = new URL(`${slack.url}/oauth/v2/authorize`);
    for (const [key, value] of Object.entries({ client_id: CLIENT_ID, scope: SCOPES, state: "s1", team, ...query }))
      url.searchParams.set(key, value);
    const res = await fetch(url, { redirect: "manual" });
    expect(res.status).toBe(302);
    return new URL(res.headers.get("location") ?? "");
  }

  beforeAll(async () => {
    slack = await slackWithApp({ expiresIn: 43_200 });
  });
  afterAll(async () => {
    await slack?.close();
  });

  it("the authorize page checks the client id and redirect URL, and sends the installer back with a code or access_denied", async () => {
    const page = (query: Record<string, string>) =>
      fetch(`${slack.url}/oauth/v2/authorize?${new URLSearchParams(query)}`, { redirect: "manual" });
    expect((await page({ client_id: "1.2", scope: SCOPES })).status).toBe(400);
    expect((await page({ client_id: CLIENT_ID, redirect_uri: "https://evil.example/steal" })).status).toBe(400);
    const back = await code(TEAM_A);
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    expect(back.searchParams.get("state")).toBe("s1");
    expect(back.searchParams.get("code")).toMatch(/^\d+\.[0-9a-f]+\.[0-9a-f]+$/);
    const denied = await code(TEAM_A, { decision: "deny" });
    expect(Object.fromEntries(denied.searchParams)).toEqual({ error: "access_denied", state: "s1" });
  });

  it("oauth.v2.access: client credentials (form or HTTP Basic), single-use codes, redirect_uri as sent", async () => {
    const first = (await code(TEAM_A)).searchParams.get("code")!;
    expect(await web("oauth.v2.access", { code: first, client_id: CLIENT_ID, client_secret: "wrong" })).toEqual({
      ok: false,
      error: "bad_client_secret",
    });
    const second = (await code(TEAM_A, { redirect_uri: REDIRECT })).searchParams.get("code")!;
    expect(
      await web("oauth.v2.access", { code: second, redirect_uri: `${PUBLIC}/other` }, basic(CLIENT_ID, CLIENT_SECRET)),
    ).toEqual({
      ok: false,
      error: "bad_redirect_uri",
    });
    const third = (await code(TEAM_B, { redirect_uri: REDIRECT, user: ADMIN_B })).searchParams.get("code")!;
    const granted = await web(
      "oauth.v2.access",
      { code: third, redirect_uri: REDIRECT },
      basic(CLIENT_ID, CLIENT_SECRET),
    );
    const team = slack.sim.oauth.teams.get(TEAM_B)!;
    expect(granted).toMatchObject({
      ok: true,
      token_type: "bot",
      scope: SCOPES,
      bot_user_id: team.botUserId,
      app_id: "A0LEADLINE",
      team: { id: TEAM_B, name: "Bravo Homes" },
      enterprise: null,
      authed_user: { id: ADMIN_B },
      is_enterprise_install: false,
      refresh_token: expect.stringMatching(/^xoxe-1-/),
      expires_in: 43_200,
    });
    expect(
      await web("oauth.v2.access", { code: third, redirect_uri: REDIRECT }, basic(CLIENT_ID, CLIENT_SECRET)),
    ).toEqual({
      ok: false,
      error: "invalid_code",
    });
    // The token answers auth.test as the bot of its own team; a token OAuth did not issue is the test workspace's.
    const token = String(granted.access_token);
    expect(await web("auth.test", {}, { authorization: `Bearer ${token}` })).toMatchObject({
      ok: true,
      team_id: TEAM_B,
      team: "Bravo Homes",
      user_id: team.botUserId,
      bot_id: team.botId,
    });
    expect(await web("auth.test", {}, { authorization: "Bearer xoxb-made-up" })).toMatchObject({
      team_id: "T0LEADLINE",
    });
    expect(await web("users.info", { user: ADMIN_A }, { authorization: `Bearer ${token}` })).toEqual({
      ok: false,
      error: "user_not_found",
    });
    expect(await web("users.info", { user: ADMIN_B }, { authorization: `Bearer ${token}` })).toMatchObject({
      user: { id: ADMIN_B, team_id: TEAM_B, is_admin: true },
    });
    expect(await web("api.test", { foo: "bar" })).toEqual({ ok: true, args: { foo: "bar" } });
    expect(slack.callsTo("auth.test").at(-2)).toMatchObject({ token, team: TEAM_B });
  });

  it("rotation: a refresh token buys new tokens once; expired and revoked tokens are refused", async () => {
    const first = (await code(TEAM_A)).searchParams.get("code")!;
    const installed = await web("oauth.v2.access", { code: first, client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
    const refresh = { client_id: CLIENT_ID, client_secret: CLIENT_SECRET, grant_type: "refresh_token" };
    const rotated = await web("oauth.v2.access", { ...refresh, refresh_token: String(installed.refresh_token) });
    expect(rotated).toMatchObject({ ok: true, token_type: "bot", team: { id: TEAM_A }, expires_in: 43_200 });
    expect(rotated.access_token).not.toBe(installed.access_token);
    expect(rotated.refresh_token).not.toBe(installed.refresh_token);
    expect(await web("oauth.v2.access", { ...refresh, refresh_token: String(installed.refresh_token) })).toEqual({
      ok: false,
      error: "invalid_refresh_token",
    });
    const bearer = (token: unknown) => ({ authorization: `Bearer ${String(token)}` });
    slack.sim.oauth.tokens.get(String(installed.access_token))!.expiresAt = Date.now() - 1;
    expect(await web("auth.test", {}, bearer(installed.access_token))).toEqual({ ok: false, error: "token_expired" });
    expect(await web("auth.test", {}, bearer(rotated.access_token))).toMatchObject({ ok: true, team_id: TEAM_A });
    slack.sim.oauth.revokeTeam(TEAM_A);
    expect(await web("auth.test", {}, bearer(rotated.access_token))).toEqual({ ok: false, error: "token_revoked" });
    expect(await web("oauth.v2.access", { ...refresh, refresh_token: String(rotated.refresh_token) })).toEqual({
      ok: false,
      error: "invalid_refresh_token",
    });
  });
});

describe("installing Leadline through Slack's OAuth", () => {
  let slack: FakeSlack;
  let t: TestApp;

  beforeAll(async () => {
    slack = await slackWithApp();
    t = await startOAuthApp(slack);
  });
  afterAll(async () => {
    await t?.stop();
    await slack?.close();
  });

  it("stores the bot token encrypted (never in plaintext), and the next command from that workspace works with it", async () => {
    const { ws, token } = await install(t, TEAM_A, ADMIN_A);

    const exchange = slack.callsTo("oauth.v2.access");
    expect(exchange).toHaveLength(1);
    expect(exchange[0]!.args).toMatchObject({ client_id: CLIENT_ID, redirect_uri: `${PUBLIC}/slack/oauth_redirect` });
    expect(exchange[0]!.args.grant_type).toBeUndefined();
    const team = slack.sim.oauth.teams.get(TEAM_A)!;
    expect(await t.app.deps.db.workspace.findUniqueOrThrow({ where: { id: ws } })).toMatchObject({
      teamId: TEAM_A,
      enterpriseId: "",
      name: "Acme Realty",
      botUserId: team.botUserId,
      botId: team.botId,
      installerUserId: ADMIN_A,
      uninstalledAt: null,
    });
    const secrets = await t.app.deps.db.secret.findMany({ where: { workspaceId: ws } });
    expect(secrets.map((s) => s.name)).toContain("slack.botToken");
    await expectNowhereInDatabase(t, [token]);
    expect(t.logs.join("")).not.toContain(token);

    const help = (await answerOf(await command(t, TEAM_A, "/lead", "", AGENT_A))) as Json;
    expect(help.text).toBe("How to use /lead");
    const before = slack.callsTo("views.open").length;
    await answerOf(await command(t, TEAM_A, "/lead", "add", AGENT_A));
    const opened = await eventually(() => slack.callsTo("views.open").at(before), "views.open");
    expect(opened.token).toBe(token);
    expect(opened.team).toBe(TEAM_A);
  });

  it("a workspace Leadline was never installed in is answered with nothing", async () => {
    const before = slack.calls.length;
    expect(await answerOf(await command(t, "T0NEVER001", "/lead", "", "U0STRANGER"))).toBe("");
    expect(await answerOf(await command(t, "T0NEVER001", "/lead", "add", "U0STRANGER"))).toBe("");
    await settled(t);
    expect(slack.calls.slice(before)).toEqual([]);
    expect(await t.app.deps.db.workspace.count({ where: { teamId: "T0NEVER001" } })).toBe(0);
  });

  it("refuses a redirect whose state is not this browser's, before asking Slack for a token", async () => {
    const started = await fetch(`${t.url}/slack/install`, { redirect: "manual" });
    const authorize = new URL(started.headers.get("location") ?? "");
    authorize.searchParams.set("team", TEAM_B);
    const approved = await fetch(authorize, { redirect: "manual" });
    const back = new URL(approved.headers.get("location") ?? "");
    const exchanges = slack.callsTo("oauth.v2.access").length;

    const cookieless = await fetch(`${t.url}${back.pathname}${back.search}`, { redirect: "manual" });
    expect(cookieless.status).toBe(400);
    expect(await cookieless.text()).toContain("The install did not finish");
    const otherBrowser = await fetch(`${t.url}${back.pathname}${back.search}`, {
      headers: { cookie: "slack-app-oauth-state=someone-elses-state" },
      redirect: "manual",
    });
    expect(otherBrowser.status).toBe(400);
    expect(slack.callsTo("oauth.v2.access")).toHaveLength(exchanges);
    expect(await t.app.deps.db.workspace.count({ where: { teamId: TEAM_B } })).toBe(0);
  });

  it("stores nothing when Slack refuses the code exchange (a wrong client secret)", async () => {
    slack.sim.oauth.configure({ clientId: CLIENT_ID, clientSecret: "a-rotated-secret-leadline-does-not-know" });
    try {
      const started = await fetch(`${t.url}/slack/install`, { redirect: "manual" });
      const cookie = (started.headers.get("set-cookie") ?? "").split(";")[0]!;
      const authorize = new URL(started.headers.get("location") ?? "");
      authorize.searchParams.set("team", TEAM_B);
      const back = new URL((await fetch(authorize, { redirect: "manual" })).headers.get("location") ?? "");
      const finished = await fetch(`${t.url}${back.pathname}${back.search}`, { headers: { cookie } });
      expect(finished.status).toBe(400);
      expect(await finished.text()).toContain("The install did not finish");
      expect(slack.callsTo("oauth.v2.access").at(-1)!.args.client_id).toBe(CLIENT_ID);
      expect(slack.sim.oauth.tokensOf(TEAM_B)).toEqual([]);
      expect(await t.app.deps.db.workspace.count({ where: { teamId: TEAM_B } })).toBe(0);
    } finally {
      slack.sim.oauth.configure({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    }
  });
});

describe("an install link works once, on any instance (issue 22, N2)", () => {
  const dir = mkdtempSync(join(tmpdir(), "leadline-oauth-state-"));
  let slack: FakeSlack;
  let one: TestApp;
  let two: TestApp;

  beforeAll(async () => {
    slack = await slackWithApp();
    const env = { APP_ENCRYPTION_KEY: randomBytes(32).toString("base64") };
    one = await startOAuthApp(slack, { dir, env });
    two = await startOAuthApp(slack, { dir, env });
  });
  afterAll(async () => {
    await one?.stop();
    await two?.stop();
    await slack?.close();
    await dropSharedDatabase(dir);
    rmSync(dir, { recursive: true, force: true });
  });

  /** Slack's authorize page approving `authorize` again: the same state, a fresh code. */
  async function approve(authorize: URL): Promise<URL> {
    const approved = await fetch(authorize, { redirect: "manual" });
    expect(approved.status).toBe(302);
    return new URL(approved.headers.get("location") ?? "");
  }

  it("refuses the same state and cookie a second time, on this instance and on another, before asking Slack", async () => {
    const started = await fetch(`${one.url}/slack/install`, { redirect: "manual" });
    const cookie = (started.headers.get("set-cookie") ?? "").split(";")[0]!;
    const authorize = new URL(started.headers.get("location") ?? "");
    authorize.searchParams.set("team", TEAM_A);
    authorize.searchParams.set("user", ADMIN_A);
    const state = authorize.searchParams.get("state")!;

    const first = await approve(authorize);
    const finished = await fetch(`${one.url}${first.pathname}${first.search}`, { headers: { cookie } });
    expect(finished.status).toBe(200);
    expect(await finished.text()).toContain("Leadline is installed");
    const exchanges = slack.callsTo("oauth.v2.access").length;
    expect(exchanges).toBe(1);

    // The same link and cookie within its ten minutes, with a fresh code from Slack: refused by
    // the instance that saw it and by the other one, and Slack is never asked for a token.
    for (const app of [one, two, one]) {
      const again = await approve(authorize);
      expect(again.searchParams.get("state")).toBe(state);
      expect(again.searchParams.get("code")).not.toBe(first.searchParams.get("code"));
      const replay = await fetch(`${app.url}${again.pathname}${again.search}`, { headers: { cookie } });
      expect(replay.status).toBe(400);
      expect(await replay.text()).toContain("the link works once and for ten minutes");
    }
    expect(slack.callsTo("oauth.v2.access")).toHaveLength(exchanges);
    expect(one.logs.join("")).toContain("This install link was used already");
    // Only the state's hash is kept.
    await expectNowhereInDatabase(one, [state]);
    expect(await one.app.deps.db.oAuthState.count()).toBe(1);

    // A fresh link still works, on the other instance.
    const next = await fetch(`${two.url}/slack/install`, { redirect: "manual" });
    const nextCookie = (next.headers.get("set-cookie") ?? "").split(";")[0]!;
    const nextAuthorize = new URL(next.headers.get("location") ?? "");
    nextAuthorize.searchParams.set("team", TEAM_B);
    nextAuthorize.searchParams.set("user", ADMIN_B);
    const back = await approve(nextAuthorize);
    const done = await fetch(`${two.url}${back.pathname}${back.search}`, { headers: { cookie: nextCookie } });
    expect(done.status).toBe(200);
    expect(await one.app.deps.db.workspace.count({ where: { teamId: TEAM_B } })).toBe(1);
  });

  it("prunes used states once they have expired", async () => {
    const store = createOAuthStateStore(one.app.deps.database);
    const now = new Date();
    const soon = new Date(now.getTime() + 600_000);
    expect(await store.claim("state-one", soon, now)).toBe(true);
    expect(await store.claim("state-one", soon, now)).toBe(false);
    const before = await one.app.deps.db.oAuthState.count();
    // Eleven minutes on: every state claimed so far has expired, and the next claim clears them.
    const later = new Date(now.getTime() + 660_000);
    expect(await store.claim("state-two", new Date(later.getTime() + 600_000), later)).toBe(true);
    expect(before).toBeGreaterThanOrEqual(2);
    expect(await one.app.deps.db.oAuthState.count()).toBe(1);
  });
});

describe("two workspaces in one Leadline", () => {
  let slack: FakeSlack;
  let t: TestApp;
  let a: Installed;
  let b: Installed;
  let accountA: FakeAccount;
  let accountB: FakeAccount;
  let apiTokenA: string;
  let apiTokenB: string;
  let leadA: number;
  let leadB: number;

  beforeAll(async () => {
    slack = await slackWithApp();
    t = await startOAuthApp(slack);
    a = await install(t, TEAM_A, ADMIN_A);
    b = await install(t, TEAM_B, ADMIN_B);
    expect(a.ws).not.toBe(b.ws);
    accountA = t.twilio.addAccount({ numbers: [FROM_A] });
    accountB = t.twilio.addAccount({ numbers: [FROM_B] });
    const setupA = await connectTwilio(t, TEAM_A, ADMIN_A, accountA, FROM_A);
    const setupB = await connectTwilio(t, TEAM_B, ADMIN_B, accountB, FROM_B);
    expect([setupA.token, setupB.token]).toEqual([a.token, b.token]);
    apiTokenA = await leadApiToken(t, TEAM_A, ADMIN_A);
    apiTokenB = await leadApiToken(t, TEAM_B, ADMIN_B);

    // The same phone is a new lead in each workspace: uniqueness is per workspace.
    const createdA = await leadApi(t, apiTokenA, "POST", "/api/leads", { name: "Alice Acme", phone: PHONE });
    const createdB = await leadApi(t, apiTokenB, "POST", "/api/leads", { name: "Bob Bravo", phone: "(212) 555-0182" });
    expect([createdA.status, createdB.status]).toEqual([201, 201]);
    leadA = ((await createdA.json()) as { lead: { id: number } }).lead.id;
    leadB = ((await createdB.json()) as { lead: { id: number } }).lead.id;
    // Message calls play a recording: each workspace has its own lead's consent on file.
    await withConsent(t.app, a.ws, { id: leadA, phone: PHONE });
    await withConsent(t.app, b.ws, { id: leadB, phone: PHONE });
    expect(await t.app.deps.db.lead.findMany({ where: { phone: PHONE }, orderBy: { id: "asc" } })).toMatchObject([
      { id: leadA, workspaceId: a.ws, name: "Alice Acme" },
      { id: leadB, workspaceId: b.ws, name: "Bob Bravo" },
    ]);
  });
  afterAll(async () => {
    await t?.stop();
    await slack?.close();
  });

  it("keeps each workspace's Twilio settings and lead API token to itself, secrets encrypted and the API token only as a hash", async () => {
    expect(await t.app.deps.settings.get(a.ws)).toMatchObject({ accountSid: accountA.sid, phoneNumber: FROM_A });
    expect(await t.app.deps.settings.get(b.ws)).toMatchObject({ accountSid: accountB.sid, phoneNumber: FROM_B });
    expect(apiTokenA).not.toBe(apiTokenB);
    await expectNowhereInDatabase(t, [a.token, b.token, accountA.token, accountB.token, apiTokenA, apiTokenB]);
    // Each token reads its own workspace's lead, and only that.
    expect((await leadApi(t, apiTokenA, "GET", `/api/leads/${leadA}`)).status).toBe(200);
    expect((await leadApi(t, apiTokenB, "GET", `/api/leads/${leadB}`)).status).toBe(200);
    // A do-not-call entry is on the workspace's own list: B's entry does not stop A.
    await t.app.deps.dnc.add(b.ws, "+13125550177", "command", ADMIN_B);
    expect((await t.app.deps.dnc.check(b.ws, "+13125550177")).entry).toBeDefined();
    expect((await t.app.deps.dnc.check(a.ws, "+13125550177")).entry).toBeUndefined();
    const audits = await t.app.deps.db.auditLog.findMany({ where: { action: "twilio_settings.saved" } });
    expect(audits.map((row) => [row.workspaceId, row.actor]).sort()).toEqual(
      [
        [a.ws, ADMIN_A],
        [b.ws, ADMIN_B],
      ].sort(),
    );
  });

  it("each workspace calls its own lead from its own number, with its own Twilio credentials and Slack token", async () => {
    for (const [team, agent, lead, account, from, token] of [
      [TEAM_A, AGENT_A, leadA, accountA, FROM_A, a.token],
      [TEAM_B, AGENT_B, leadB, accountB, FROM_B, b.token],
    ] as const) {
      const creates = t.twilio.creates().length;
      const posts = slack.callsTo("chat.postMessage").length;
      await click(t, team, agent, ids.call.messageAction, String(lead), slack.responseUrl());
      const create = await eventually(() => t.twilio.creates().at(creates), `${team}'s call`);
      // The simulated Twilio answers 201 only to the account's own Auth Token (Basic auth).
      expect(create.path).toBe(`/2010-04-01/Accounts/${account.sid}/Calls.json`);
      expect(create.params.get("From")).toBe(from);
      expect(create.params.get("To")).toBe(PHONE);
      const line = await eventually(() => slack.callsTo("chat.postMessage").at(posts), `${team}'s call line`);
      expect(line.token).toBe(token);
      expect(line.team).toBe(team);
      const call = await t.app.deps.db.call.findFirstOrThrow({ where: { leadId: lead } });
      expect(t.twilio.calls.get(call.twilioSid!)).toMatchObject({ account_sid: account.sid, from, to: PHONE });
    }
    const calls = await t.app.deps.db.call.findMany({ where: { toNumber: PHONE }, orderBy: { id: "asc" } });
    expect(calls.map((call) => [call.workspaceId, call.leadId, call.fromNumber])).toEqual([
      [a.ws, leadA, FROM_A],
      [b.ws, leadB, FROM_B],
    ]);
  });

  it("a user of workspace A can never see, search, call, edit or export workspace B's lead", async () => {
    const leaks = (json: unknown) => JSON.stringify(json).includes("Bob Bravo");
    const noteCount = await t.app.deps.db.note.count({ where: { leadId: leadB } });
    const creates = t.twilio.creates().length;

    // See and search, by id, name, phone and last four digits, in /lead and /call-lead.
    for (const [name, text] of [
      ["/lead", `#${leadB}`],
      ["/lead", String(leadB)],
      ["/lead", "bob"],
      ["/lead", "bravo"],
      ["/lead", PHONE],
      ["/lead", "0182"],
      ["/lead", ""],
      ["/call-lead", `#${leadB}`],
      ["/call-lead", "bob"],
      ["/call-lead", PHONE],
    ] as const) {
      const answer = await answerOf(await command(t, TEAM_A, name, text, AGENT_A));
      expect(answer, `${name} ${text}`).not.toBe("");
      expect(leaks(answer), `${name} ${text} shows B's lead`).toBe(false);
      expect(JSON.stringify(answer), `${name} ${text}`).not.toContain(`lead_${leadB}`);
    }
    // Workspace A's own lead with the same phone is what A finds.
    expect(JSON.stringify(await answerOf(await command(t, TEAM_A, "/lead", PHONE, AGENT_A)))).toContain("Alice Acme");

    // Call, by B's lead id in the button's value (every call mode).
    for (const action of [ids.call.messageAction, ids.call.bridgeAction, ids.call.browserAction]) {
      const url = slack.responseUrl();
      await click(t, TEAM_A, AGENT_A, action, String(leadB), url);
      const told = await toldOn(t, url, `the answer to ${action}`);
      expect(String(told.text), action).toContain(`Lead #${leadB} no longer exists`);
      expect(leaks(told)).toBe(false);
    }
    expect(t.twilio.creates()).toHaveLength(creates);
    expect(await t.app.deps.db.browserLink.count({ where: { leadId: leadB } })).toBe(0);

    // Edit: the note and phone buttons with B's id open nothing.
    const opened = slack.callsTo("views.open").length;
    for (const action of [ids.lead.noteAction, ids.lead.phoneAction]) {
      const url = slack.responseUrl();
      await click(t, TEAM_A, AGENT_A, action, String(leadB), url);
      expect(String((await toldOn(t, url, `the answer to ${action}`)).text)).toBe(":x: That lead no longer exists.");
    }
    expect(slack.callsTo("views.open")).toHaveLength(opened);

    // Edit: A's own note and phone forms, their private_metadata changed to name B's lead.
    for (const [action, field, value] of [
      [ids.lead.noteAction, leadFields.note, "Moved to A's pipeline"],
      [ids.lead.phoneAction, leadFields.phone, "+12125550199"],
    ] as const) {
      const before = slack.callsTo("views.open").length;
      await click(t, TEAM_A, AGENT_A, action, String(leadA), slack.responseUrl());
      await eventually(() => slack.callsTo("views.open").length > before, `the form of ${action}`);
      const view = [...slack.views.values()].at(-1)!;
      const meta = JSON.parse(String(view.private_metadata)) as Json;
      expect(meta.leadId).toBe(leadA);
      const forged = { ...view, private_metadata: JSON.stringify({ ...meta, leadId: leadB }) };
      const answer = (await answerOf(
        await t.interact(inTeam(viewSubmission(forged, AGENT_A, { [field]: value }), TEAM_A)),
      )) as Json;
      expect(answer.response_action, action).toBe("errors");
      expect(JSON.stringify(answer.errors)).toContain("That lead no longer exists");
    }
    expect(await t.app.deps.db.note.count({ where: { leadId: leadB } })).toBe(noteCount);
    expect(await t.app.deps.db.lead.findUniqueOrThrow({ where: { id: leadB } })).toMatchObject({ phone: PHONE });
    expect(await t.app.deps.db.lead.findUniqueOrThrow({ where: { id: leadA } })).toMatchObject({ phone: PHONE });

    // Export: A's lead API token reads no lead of B's, and a phone of B's lead gives A's own lead.
    const exported = await leadApi(t, apiTokenA, "GET", `/api/leads/${leadB}`);
    expect(exported.status).toBe(404);
    expect(leaks(await exported.json())).toBe(false);
    const same = await leadApi(t, apiTokenA, "POST", "/api/leads", { name: "Bob Bravo", phone: PHONE });
    expect(same.status).toBe(200);
    expect(((await same.json()) as { lead: Json }).lead).toMatchObject({ id: leadA, name: "Alice Acme" });
  });

  it("a softphone link stays in its workspace: B's Auth Token cannot connect A's browser call", async () => {
    // A's earlier call ends (its own Auth Token signs that), so Alice can be called again.
    const callA = await t.app.deps.db.call.findFirstOrThrow({ where: { workspaceId: a.ws, mode: { not: "browser" } } });
    const completed = forCall(reference.completedHuman, {
      sid: callA.twilioSid!,
      accountSid: accountA.sid,
      to: PHONE,
      from: FROM_A,
    });
    expect((await t.signedTwilio("/twilio/status", completed, accountA.token)).status).toBe(204);
    expect((await t.app.deps.db.call.findUniqueOrThrow({ where: { id: callA.id } })).status).toBe("completed");

    const url = slack.responseUrl();
    await click(t, TEAM_A, AGENT_A, ids.call.browserAction, String(leadA), url);
    const link = /"url":"([^"]+\/phone\?t=[^"]+)"/.exec(JSON.stringify(await toldOn(t, url, "the browser link")))?.[1];
    expect(link).toBeDefined();
    const page = await fetch(link!.replace(PUBLIC, t.url));
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Alice Acme");
    expect(html).not.toContain("Bob Bravo");
    const session = /data-session="([^"]+)"/.exec(html)?.[1];
    const issued = await fetch(`${t.url}/phone/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ session }),
    });
    const { linkId } = (await issued.json()) as { linkId: string };
    const params = {
      CallSid: fakeSid("CA"),
      AccountSid: accountB.sid,
      From: `client:${AGENT_A}`,
      To: "",
      link: linkId,
    };

    const calls = await t.app.deps.db.call.count();
    const crossed = await t.signedTwilio("/twilio/voice/browser", params, accountB.token);
    expect(crossed.status).toBe(403);
    expect(await t.app.deps.db.call.count()).toBe(calls);

    const own = await t.signedTwilio("/twilio/voice/browser", { ...params, AccountSid: accountA.sid }, accountA.token);
    expect(own.status).toBe(200);
    expect(await own.text()).toContain(`<Dial callerId="${FROM_A}"><Number>${PHONE}</Number></Dial>`);
    expect(await t.app.deps.db.call.findFirstOrThrow({ where: { twilioSid: params.CallSid } })).toMatchObject({
      workspaceId: a.ws,
      leadId: leadA,
    });
  });

  it("a status callback for workspace B's call signed with workspace A's Auth Token is refused", async () => {
    const callB = await t.app.deps.db.call.findFirstOrThrow({ where: { workspaceId: b.ws, mode: { not: "browser" } } });
    const ringing = forCall(
      reference.initiated,
      { sid: callB.twilioSid!, accountSid: accountB.sid, to: PHONE, from: FROM_B },
      { CallStatus: "ringing", SequenceNumber: "1" },
    );
    for (const [params, token] of [
      [ringing, accountA.token],
      [{ ...ringing, AccountSid: accountA.sid }, accountA.token],
    ] as const) {
      const res = await t.signedTwilio("/twilio/status", params, token);
      expect(res.status).toBe(403);
    }
    expect((await t.app.deps.db.call.findUniqueOrThrow({ where: { id: callB.id } })).status).toBe(callB.status);

    const updates = slack.callsTo("chat.update").length;
    const own = await t.signedTwilio("/twilio/status", ringing, accountB.token);
    expect(own.status).toBe(204);
    expect((await t.app.deps.db.call.findUniqueOrThrow({ where: { id: callB.id } })).status).toBe("ringing");
    // B's call line follows, edited with B's own bot token.
    const edit = await eventually(() => slack.callsTo("chat.update").slice(updates).at(0), "B's call line edit");
    expect([edit.token, edit.team]).toEqual([b.token, TEAM_B]);
    expect(String(edit.args.text)).toContain("ringing");
  });

  it("after app_uninstalled, workspace B's tokens are gone and its commands, webhooks and lead API calls are refused; A carries on", async () => {
    const callB = await t.app.deps.db.call.findFirstOrThrow({ where: { workspaceId: b.ws, mode: { not: "browser" } } });
    slack.sim.oauth.revokeTeam(TEAM_B);
    // Slack's uninstall event (B was installed a minute before it), then retried with the same id.
    await t.app.deps.db.workspace.update({ where: { id: b.ws }, data: { installedAt: new Date(Date.now() - 60_000) } });
    const uninstalled = { eventId: "Ev0UNINSTALL1", eventTime: Math.floor(Date.now() / 1000) - 5 };
    const res = await slackEvent(t, TEAM_B, { type: "app_uninstalled" }, uninstalled);
    expect(res.status).toBe(200);
    await eventually(
      async () => (await t.app.deps.db.workspace.findUniqueOrThrow({ where: { id: b.ws } })).uninstalledAt,
      "workspace B to be uninstalled",
    );
    expect((await slackEvent(t, TEAM_B, { type: "app_uninstalled" }, uninstalled)).status).toBe(200);
    expect(
      (await t.app.deps.db.secret.findMany({ where: { workspaceId: b.ws } }))
        .map((s) => s.name)
        .filter((name) => name.startsWith("slack.") || name.startsWith("leads.")),
    ).toEqual([]);
    expect(await t.app.deps.workspaces.botToken(b.ws)).toBeUndefined();
    expect(await t.app.deps.db.auditLog.count({ where: { workspaceId: b.ws, action: "workspace.uninstalled" } })).toBe(
      1,
    );

    const before = slack.calls.length;
    expect(await answerOf(await command(t, TEAM_B, "/lead", "bob", AGENT_B))).toBe("");
    expect(await answerOf(await command(t, TEAM_B, "/lead", "add", AGENT_B))).toBe("");
    expect((await leadApi(t, apiTokenB, "GET", `/api/leads/${leadB}`)).status).toBe(401);
    expect((await leadApi(t, apiTokenB, "POST", "/api/leads", { name: "New", phone: "+12125550177" })).status).toBe(
      401,
    );
    const completed = forCall(
      reference.completedHuman,
      { sid: callB.twilioSid!, accountSid: accountB.sid, to: PHONE, from: FROM_B },
      {},
    );
    expect((await t.signedTwilio("/twilio/status", completed, accountB.token)).status).toBe(403);
    expect((await t.app.deps.db.call.findUniqueOrThrow({ where: { id: callB.id } })).status).not.toBe("completed");
    await settled(t);
    expect(slack.calls.slice(before).filter((call) => call.team === TEAM_B)).toEqual([]);
    // The data stays (until an admin removes it or the app is installed again).
    expect(await t.app.deps.db.lead.count({ where: { workspaceId: b.ws } })).toBe(1);

    // Workspace A is untouched.
    expect(JSON.stringify(await answerOf(await command(t, TEAM_A, "/lead", "alice", AGENT_A)))).toContain("Alice Acme");
    expect((await leadApi(t, apiTokenA, "GET", `/api/leads/${leadA}`)).status).toBe(200);
    expect(await t.app.deps.workspaces.botToken(a.ws)).toBe(a.token);

    // Installed again: the same workspace, a new token, its data back; the old lead API token stays dead.
    const again = await install(t, TEAM_B, ADMIN_B);
    expect(again.ws).toBe(b.ws);
    expect(again.token).not.toBe(b.token);
    expect(JSON.stringify(await answerOf(await command(t, TEAM_B, "/lead", "bob", AGENT_B)))).toContain("Bob Bravo");
    expect((await leadApi(t, apiTokenB, "GET", `/api/leads/${leadB}`)).status).toBe(401);

    // The old uninstall replayed after the re-install (the same event, or a late retry with its time)
    // changes nothing: B stays installed, its new token kept.
    for (const replay of [uninstalled, { eventId: "Ev0UNINSTALL2", eventTime: uninstalled.eventTime }])
      expect((await slackEvent(t, TEAM_B, { type: "app_uninstalled" }, replay)).status).toBe(200);
    await t.app.deps.tasks.drain(5_000);
    expect((await t.app.deps.db.workspace.findUniqueOrThrow({ where: { id: b.ws } })).uninstalledAt).toBeNull();
    expect(await t.app.deps.workspaces.botToken(b.ws)).toBe(again.token);
    expect(await t.app.deps.db.auditLog.count({ where: { workspaceId: b.ws, action: "workspace.uninstalled" } })).toBe(
      1,
    );
    // A new uninstall, after the install (the next second, by Slack's clock), still uninstalls.
    const later = { eventTime: Math.floor(Date.now() / 1000) + 1 };
    expect((await slackEvent(t, TEAM_B, { type: "app_uninstalled" }, later)).status).toBe(200);

    await eventually(
      async () => (await t.app.deps.db.workspace.findUniqueOrThrow({ where: { id: b.ws } })).uninstalledAt,
      "a new uninstall to take effect",
    );
  });

  it("tokens_revoked for the bot token uninstalls the workspace at once; a user token revoked alone changes nothing", async () => {
    const teamC = "T0CEDAR001";
    slack.sim.oauth.addTeam({ id: teamC, name: "Cedar Lane" });
    const c = await install(t, teamC, "U0ADMINC01");
    const bot = slack.sim.oauth.teams.get(teamC)!.botUserId;

    expect((await slackEvent(t, teamC, { type: "tokens_revoked", tokens: { oauth: ["U0ADMINC01"] } })).status).toBe(
      200,
    );
    await settled(t);
    expect((await t.app.deps.db.workspace.findUniqueOrThrow({ where: { id: c.ws } })).uninstalledAt).toBeNull();
    expect(await t.app.deps.workspaces.botToken(c.ws)).toBe(c.token);

    slack.sim.oauth.revokeTeam(teamC);
    // Slack's event time is in whole seconds; C was installed within this one, so the revoke is the next.
    const revoked = { eventTime: Math.floor(Date.now() / 1000) + 1 };
    expect((await slackEvent(t, teamC, { type: "tokens_revoked", tokens: { bot: [bot] } }, revoked)).status).toBe(200);
    await eventually(
      async () => (await t.app.deps.db.workspace.findUniqueOrThrow({ where: { id: c.ws } })).uninstalledAt,
      "workspace C to be uninstalled",
    );
    expect(await t.app.deps.db.secret.count({ where: { workspaceId: c.ws, name: { startsWith: "slack." } } })).toBe(0);
    expect(await answerOf(await command(t, teamC, "/lead", "", "U0AGENTC01"))).toBe("");
  });
});

describe("token rotation with two instances on one database", () => {
  const dir = mkdtempSync(join(tmpdir(), "leadline-rotation-"));
  let slack: FakeSlack;
  let twilio: FakeTwilio;
  let one: TestApp;
  let two: TestApp;

  beforeAll(async () => {
    // Installs give tokens that expire in a minute: due for a refresh at once.
    slack = await slackWithApp({ expiresIn: 60 });
    twilio = await startFakeTwilio();
    const env = { APP_ENCRYPTION_KEY: randomBytes(32).toString("base64") };
    one = await startOAuthApp(slack, { dir, twilio, env });
    two = await startOAuthApp(slack, { dir, twilio, env });
  });
  afterAll(async () => {
    await one?.stop();
    await two?.stop();
    await slack?.close();
    await twilio?.close();
    await dropSharedDatabase(dir);
    rmSync(dir, { recursive: true, force: true });
  });

  const refreshes = () => slack.callsTo("oauth.v2.access").filter((call) => call.args.grant_type === "refresh_token");
  const latestRefreshToken = () =>
    [...slack.sim.oauth.refreshTokens].filter(([, grant]) => grant.team.id === TEAM_A).at(-1)![0];

  /**
   * Both instances need the token at once. Slack answers the refresh slowly (300 ms), so whoever
   * refreshes holds the lease a while. On PostgreSQL both start at the same instant. On SQLite the
   * second starts once the first holds the lease: the two apps share this process, and
   * better-sqlite3 waits for a lock synchronously, so two in-process instances writing at the same
   * instant would stall each other's event loop until the busy timeout (separate processes never do).
   */
  async function together<T>(ws: number, first: () => Promise<T>, second: () => Promise<T>): Promise<[T, T]> {
    slack.delays.set("oauth.v2.access", 300);
    try {
      if (one.engine === "postgresql") return await Promise.all([first(), second()]);
      const started = first();
      await eventually(
        async () => (await one.app.deps.db.workspace.findUniqueOrThrow({ where: { id: ws } })).tokenRefreshUntil,
        "the first instance to take the refresh lease",
      );
      return await Promise.all([started, second()]);
    } finally {
      slack.delays.delete("oauth.v2.access");
    }
  }

  it("refreshes a token about to expire once when both instances need it at the same moment; both use the newest", async () => {
    const installed = await install(one, TEAM_A, ADMIN_A);
    expect(installed.refreshToken).toMatch(/^xoxe-1-/);
    const row = await one.app.deps.db.workspace.findUniqueOrThrow({ where: { id: installed.ws } });
    expect(row.tokenExpiresAt!.getTime() - Date.now()).toBeLessThan(61_000);
    await expectNowhereInDatabase(one, [installed.token, installed.refreshToken!]);
    // From now on Slack's tokens live twelve hours.
    slack.sim.oauth.app!.expiresIn = 43_200;

    const [first, second] = await together(
      installed.ws,
      () => one.app.deps.workspaces.botToken(installed.ws),
      () => two.app.deps.workspaces.botToken(installed.ws),
    );
    expect(refreshes()).toHaveLength(1);
    expect(refreshes()[0]!.args).toMatchObject({ client_id: CLIENT_ID, refresh_token: installed.refreshToken });
    const newest = slack.sim.oauth.tokensOf(TEAM_A).at(-1)!;
    expect(newest.token).not.toBe(installed.token);
    expect([first, second]).toEqual([newest.token, newest.token]);
    const refreshed = await one.app.deps.db.workspace.findUniqueOrThrow({ where: { id: installed.ws } });
    expect(refreshed.tokenVersion).toBe(row.tokenVersion + 1);
    expect(refreshed.tokenExpiresAt!.getTime() - Date.now()).toBeGreaterThan(11 * 3600_000);
    expect(await one.app.deps.workspaces.botToken(installed.ws)).toBe(newest.token);
    expect(await two.app.deps.workspaces.botToken(installed.ws)).toBe(newest.token);
    expect(refreshes()).toHaveLength(1);
    await expectNowhereInDatabase(one, [newest.token, latestRefreshToken()]);
  });

  it("work no Slack request triggers (lead API cards posted by each instance) refreshes once too, with the newest refresh token", async () => {
    const ws = (
      await one.app.deps.db.workspace.findUniqueOrThrow({
        where: { enterpriseId_teamId: { enterpriseId: "", teamId: TEAM_A } },
      })
    ).id;
    const apiToken = await leadApiToken(one, TEAM_A, ADMIN_A);
    const refreshed = refreshes().length;
    const current = slack.sim.oauth.tokensOf(TEAM_A).at(-1)!.token;
    const lastRefreshToken = latestRefreshToken();
    // Twelve hours later: the token expires in a minute again.
    await one.app.deps.db.workspace.update({
      where: { id: ws },
      data: { tokenExpiresAt: new Date(Date.now() + 60_000) },
    });

    const posts = slack.callsTo("chat.postMessage").length;
    const [viaOne, viaTwo] = await together(
      ws,
      () => leadApi(one, apiToken, "POST", "/api/leads", { name: "Carla One", phone: "+12125550141", source: "web" }),
      () => leadApi(two, apiToken, "POST", "/api/leads", { name: "Dan Two", phone: "+12125550142", source: "web" }),
    );
    expect([viaOne.status, viaTwo.status]).toEqual([201, 201]);
    // The lead cards (each new lead also gets its speed-to-lead Claim message, posted the same way).
    const leadCards = () =>
      slack
        .callsTo("chat.postMessage")
        .slice(posts)
        .filter((post) => !String(post.args.text).startsWith("Speed to lead"));
    const cards = await eventually(() => leadCards().length >= 2 && leadCards(), "both lead cards");
    expect(refreshes()).toHaveLength(refreshed + 1);
    expect(refreshes().at(-1)!.args.refresh_token).toBe(lastRefreshToken);
    const newest = slack.sim.oauth.tokensOf(TEAM_A).at(-1)!.token;
    expect(newest).not.toBe(current);
    expect(cards.map((card) => card.token)).toEqual([newest, newest]);
    expect(cards.map((card) => card.args.channel)).toEqual([CHANNEL, CHANNEL]);
    expect(cards.map((card) => String(card.args.text)).sort()).toEqual([
      expect.stringContaining("Carla One"),
      expect.stringContaining("Dan Two"),
    ]);
  });
});
