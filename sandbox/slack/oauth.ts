import { randomBytes } from "node:crypto";

type Json = Record<string, unknown>;

/** A Slack workspace the app can be installed into through OAuth; the simulator knows several. */
export interface SlackTeam {
  id: string;
  name: string;
  domain: string;
  /** The Enterprise Grid organisation the team belongs to; none for a standalone workspace. */
  enterpriseId?: string;
  /** The app's bot user and bot in this team, as oauth.v2.access and auth.test name them. */
  botUserId: string;
  botId: string;
}

/** The app's credentials and OAuth settings, as Slack's app configuration holds them. */
export interface SlackOAuthApp {
  clientId: string;
  clientSecret: string;
  /** Token rotation on: installs and refreshes give expiring access tokens with a refresh token. */
  tokenRotation: boolean;
  /** Lifetime of a rotating access token, in seconds (Slack's: 43,200, twelve hours). */
  expiresIn: number;
  /** The app's Redirect URL: an authorize request's redirect_uri must start with it; used when none is given. */
  redirectUri?: string;
}

/** A bot token Slack issued through oauth.v2.access (an install or a refresh). */
export interface IssuedToken {
  token: string;
  team: SlackTeam;
  scopes: string[];
  /** Epoch milliseconds; none for a token that does not expire (rotation off). */
  expiresAt?: number;
  revoked: boolean;
}

interface RefreshGrant {
  team: SlackTeam;
  scopes: string[];
  revoked: boolean;
}

interface AuthorizationCode {
  team: SlackTeam;
  installer: string;
  scopes: string[];
  redirectUri?: string;
  expiresAt: number;
}

/** Slack's authorization codes live ten minutes and work once. */
const CODE_TTL_MS = 10 * 60_000;

const random = (bytes: number) => randomBytes(bytes).toString("hex");

/**
 * Slack's side of OAuth v2 for one app: the authorize page (the installer picks a team), the code
 * exchange and token rotation through oauth.v2.access (client_id/client_secret checked, as form
 * fields or HTTP Basic), and the tokens issued, so the Web API can answer per token.
 */
export class SlackOAuth {
  /** Unset until `configure`: oauth.v2.access then answers invalid_client_id, as for an unknown app. */
  app?: SlackOAuthApp;
  readonly teams = new Map<string, SlackTeam>();
  /** Every access token issued, by token. */
  readonly tokens = new Map<string, IssuedToken>();
  readonly refreshTokens = new Map<string, RefreshGrant>();
  private readonly codes = new Map<string, AuthorizationCode>();
  private readonly now: () => number;

  constructor(
    private readonly options: {
      appId: string;
      /** The team installs go to when the authorize request names none. */
      defaultTeam: SlackTeam;
      /** An authorize request may name a team the simulator was not told about: it is made up. */
      openWorld: boolean;
      now?: () => number;
    },
  ) {
    this.now = options.now ?? Date.now;
    this.teams.set(options.defaultTeam.id, options.defaultTeam);
  }

  configure(app: Partial<SlackOAuthApp> & Pick<SlackOAuthApp, "clientId" | "clientSecret">): SlackOAuthApp {
    this.app = { tokenRotation: false, expiresIn: 43_200, ...this.app, ...app };
    return this.app;
  }

  addTeam(team: Partial<SlackTeam> & { id: string }): SlackTeam {
    const tail = team.id.slice(1);
    const full: SlackTeam = {
      name: `Team ${team.id}`,
      domain: team.id.toLowerCase(),
      botUserId: `U0BOT${tail}`,
      botId: `B0BOT${tail}`,
      ...team,
    };
    this.teams.set(full.id, full);
    return full;
  }

  /** The tokens issued for a team, oldest first. */
  tokensOf(teamId: string): IssuedToken[] {
    return [...this.tokens.values()].filter((issued) => issued.team.id === teamId);
  }

  /** The app was uninstalled (or its tokens revoked) in a team: every token of that team stops working. */
  revokeTeam(teamId: string): number {
    let revoked = 0;
    for (const issued of this.tokensOf(teamId)) {
      if (!issued.revoked) revoked += 1;
      issued.revoked = true;
    }
    for (const grant of this.refreshTokens.values()) if (grant.team.id === teamId) grant.revoked = true;
    return revoked;
  }

  /** What Slack says about a token: the issued token, an error for a revoked or expired one, or nothing for a token OAuth did not issue. */
  check(token: string): { issued: IssuedToken } | { error: string } | undefined {
    const issued = this.tokens.get(token);
    if (!issued) return undefined;
    if (issued.revoked) return { error: "token_revoked" };
    if (issued.expiresAt !== undefined && issued.expiresAt <= this.now()) return { error: "token_expired" };
    return { issued };
  }

  /**
   * GET /oauth/v2/authorize: the installer approves the app for a team (the `team` parameter, as
   * Slack's authorize URL takes it; a sandbox-only `user` names the installer), and is sent back to
   * the redirect URI with a code and the state. `decision=deny` is the Cancel button.
   */
  authorize(query: URLSearchParams): { redirect: string } | { status: number; error: string } {
    const app = this.app;
    if (!app || query.get("client_id") !== app.clientId) return { status: 400, error: "invalid_client_id" };
    const given = query.get("redirect_uri") ?? undefined;
    if (given && !/^https?:\/\//.test(given)) return { status: 400, error: "bad_redirect_uri" };
    if (given && app.redirectUri && !given.startsWith(app.redirectUri))
      return { status: 400, error: "bad_redirect_uri" };
    const redirectTo = given ?? app.redirectUri;
    if (!redirectTo) return { status: 400, error: "no_redirect_uri" };
    const state = query.get("state");
    const back = new URL(redirectTo);
    if (query.get("decision") === "deny") {
      back.searchParams.set("error", "access_denied");
      if (state !== null) back.searchParams.set("state", state);
      return { redirect: back.toString() };
    }
    const teamId = query.get("team") ?? this.options.defaultTeam.id;
    const team =
      this.teams.get(teamId) ??
      (this.options.openWorld && /^T[A-Z0-9]+$/.test(teamId) ? this.addTeam({ id: teamId }) : undefined);
    if (!team) return { status: 400, error: "team_not_found" };
    const code = `${Math.floor(this.now() / 1000)}.${random(6)}.${random(24)}`;
    this.codes.set(code, {
      team,
      installer: query.get("user") ?? "U0INSTALLER",
      scopes: (query.get("scope") ?? "").split(",").filter(Boolean),
      redirectUri: given,
      expiresAt: this.now() + CODE_TTL_MS,
    });
    back.searchParams.set("code", code);
    if (state !== null) back.searchParams.set("state", state);
    return { redirect: back.toString() };
  }

  /** oauth.v2.access: a code for the first tokens, or (grant_type=refresh_token) a refresh token for new ones. */
  access(args: Json): Json {
    const app = this.app;
    if (!app || args.client_id !== app.clientId) return { ok: false, error: "invalid_client_id" };
    if (args.client_secret !== app.clientSecret) return { ok: false, error: "bad_client_secret" };
    const grantType = args.grant_type === undefined ? "authorization_code" : String(args.grant_type);
    if (grantType === "refresh_token") {
      const old = String(args.refresh_token ?? "");
      const grant = this.refreshTokens.get(old);
      if (!grant || grant.revoked) return { ok: false, error: "invalid_refresh_token" };
      // A refresh token works once: the next refresh needs the one this answer carries.
      grant.revoked = true;
      return {
        ok: true,
        app_id: this.options.appId,
        scope: grant.scopes.join(","),
        token_type: "bot",
        ...this.issue(grant.team, grant.scopes, true),
        bot_user_id: grant.team.botUserId,
        team: { id: grant.team.id, name: grant.team.name },
        enterprise: grant.team.enterpriseId ? { id: grant.team.enterpriseId, name: grant.team.enterpriseId } : null,
        is_enterprise_install: false,
      };
    }
    if (grantType !== "authorization_code") return { ok: false, error: "invalid_grant_type" };
    const code = String(args.code ?? "");
    const granted = this.codes.get(code);
    this.codes.delete(code);
    if (!granted || granted.expiresAt <= this.now()) return { ok: false, error: "invalid_code" };
    if (granted.redirectUri && args.redirect_uri !== granted.redirectUri)
      return { ok: false, error: "bad_redirect_uri" };
    const { team, scopes } = granted;
    return {
      ok: true,
      app_id: this.options.appId,
      authed_user: { id: granted.installer },
      scope: scopes.join(","),
      token_type: "bot",
      ...this.issue(team, scopes, app.tokenRotation),
      bot_user_id: team.botUserId,
      team: { id: team.id, name: team.name },
      enterprise: team.enterpriseId ? { id: team.enterpriseId, name: team.enterpriseId } : null,
      is_enterprise_install: false,
    };
  }

  private issue(
    team: SlackTeam,
    scopes: string[],
    rotating: boolean,
  ): { access_token: string; refresh_token?: string; expires_in?: number } {
    if (!rotating) {
      const token = `xoxb-${team.id.slice(1)}-${random(6)}-${random(12)}`;
      this.tokens.set(token, { token, team, scopes, revoked: false });
      return { access_token: token };
    }
    const expiresIn = this.app?.expiresIn ?? 43_200;
    const token = `xoxe.xoxb-1-${random(16)}`;
    const refreshToken = `xoxe-1-${random(16)}`;
    this.tokens.set(token, { token, team, scopes, revoked: false, expiresAt: this.now() + expiresIn * 1000 });
    this.refreshTokens.set(refreshToken, { team, scopes, revoked: false });
    return { access_token: token, refresh_token: refreshToken, expires_in: expiresIn };
  }
}
