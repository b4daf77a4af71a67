import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";
import type { BrowserLink, Lead } from "@prisma/client";
import type { Clock } from "../../lib/clock.js";
import { ComplianceBlock, UserError } from "../../lib/errors.js";
import type { AuditService } from "../audit/audit-store.js";
import type { CallingLaw } from "../compliance/calling-law.js";
import type { LeadService } from "../leads/lead-service.js";
import type { SettingsService } from "../setup/settings.js";
import { twilioSdk } from "../twilio/sdk.js";
import type { CallContexts } from "./call-context.js";
import type { BrowserLinkStore } from "./link-store.js";
import type { CallReadiness } from "./readiness.js";

const LINK_TTL_MS = 10 * 60_000;
const SESSION_TTL_MS = 60 * 60_000;
const TOKEN_TTL_S = 600;

export interface BrowserPhoneService {
  /**
   * Browser call on a card: the same checks as a call (settings, the lead's number, calling law now),
   * then a link. A lead calling law blocks gets the compliance block, never a link.
   */
  linkFor(input: {
    ws: number;
    userId: string;
    leadId: number;
    channel?: string;
    threadTs?: string;
  }): Promise<{ url: string; leadName: string }>;
  /** A signed, single-use, 10-minute link bound to this Slack user and lead. */
  createLink(input: {
    ws: number;
    userId: string;
    leadId: number;
    channel?: string;
    threadTs?: string;
  }): Promise<string>;
  /** Uses the link (once) and starts a page session; the session secret lives only in the page. */
  openLink(token: string): Promise<{ session: string; lead: Lead; link: BrowserLink }>;
  /** A short-lived Twilio Voice access token for the page session (identity = the Slack user). */
  accessToken(session: string): Promise<{ token: string; identity: string; linkId: string; leadName: string }>;
  /** The workspace of a link (a browser call's webhook names the link it came from). */
  workspaceOfLink(linkId: string): Promise<number | undefined>;
  /** The link behind a browser call Twilio is connecting: it must belong to the caller's identity. */
  linkForCall(linkId: string, identity: string): Promise<BrowserLink>;
}

export function createBrowserPhoneService(deps: {
  links: BrowserLinkStore;
  leads: Pick<LeadService, "get">;
  settings: Pick<SettingsService, "get">;
  contexts: CallContexts;
  readiness: CallReadiness;
  law: Pick<CallingLaw, "verdict">;
  audit: AuditService;
  clock: Clock;
  publicBaseUrl?: string;
  /** Key material for signing links (derived, never the encryption key itself). */
  secretKey: Buffer;
}): BrowserPhoneService {
  const signingKey = Buffer.from(hkdfSync("sha256", deps.secretKey, Buffer.alloc(0), "leadline browser links", 32));
  const sign = (id: string) => createHmac("sha256", signingKey).update(id).digest("base64url").slice(0, 32);
  const hash = (session: string) => createHash("sha256").update(session).digest("hex");
  const invalid = () => UserError.of("link_invalid");

  const service: BrowserPhoneService = {
    async linkFor({ ws, userId, leadId, channel, threadTs }) {
      const lead = await deps.leads.get(ws, leadId);
      if (!lead) throw UserError.of("lead_missing", { leadId });
      const context = await deps.contexts.read(ws, userId);
      await deps.readiness.requireReady(ws, lead, "browser", userId, context);
      const phone = await deps.readiness.checkLead(lead, userId, context.countries);
      const verdict = await deps.law.verdict(ws, { ...lead, phone }, "browser", deps.clock.callingNow());
      if (!verdict.allowed) {
        await deps.audit.record(ws, userId, "call.blocked", {
          leadId: lead.id,
          mode: "browser",
          reasons: verdict.reasons.map((reason) => reason.kind),
          next: verdict.nextAllowedAt?.toISOString(),
        });
        throw new ComplianceBlock(verdict, lead, "browser");
      }
      return { url: await service.createLink({ ws, userId, leadId, channel, threadTs }), leadName: lead.name };
    },
    async createLink({ ws, userId, leadId, channel, threadTs }) {
      if (!deps.publicBaseUrl) throw UserError.of("public_url_missing");
      const id = randomBytes(18).toString("base64url");
      await deps.links.create({
        id,
        workspaceId: ws,
        slackUserId: userId,
        leadId,
        channel: channel ?? null,
        threadTs: threadTs ?? null,
        expiresAt: new Date(deps.clock.now().getTime() + LINK_TTL_MS),
      });
      return `${deps.publicBaseUrl}/phone?t=${id}.${sign(id)}`;
    },

    async openLink(token) {
      const [id, signature] = token.split(".");
      if (!id || !signature) throw invalid();
      const expected = Buffer.from(sign(id));
      const given = Buffer.from(signature);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalid();
      const now = deps.clock.now();
      const session = randomBytes(24).toString("base64url");
      // Single use, race-safe: only one request can flip usedAt from null.
      const link = await deps.links.claim(id, now, hash(session), new Date(now.getTime() + SESSION_TTL_MS));
      if (!link) throw invalid();
      const lead = await deps.leads.get(link.workspaceId, link.leadId);
      if (!lead) throw UserError.of("lead_missing");
      return { session, lead, link };
    },

    async accessToken(session) {
      const link = await deps.links.bySession(hash(session));
      if (!link?.sessionExpiresAt || link.sessionExpiresAt <= deps.clock.now()) throw invalid();
      const settings = await deps.settings.get(link.workspaceId);
      if (!settings.accountSid || !settings.apiKeySid || !settings.apiKeySecret || !settings.twimlAppSid) {
        throw UserError.of("browser_unconfigured");
      }
      const { AccessToken } = twilioSdk().jwt;
      const token = new AccessToken(settings.accountSid, settings.apiKeySid, settings.apiKeySecret, {
        identity: link.slackUserId,
        ttl: TOKEN_TTL_S,
      });
      token.addGrant(
        new AccessToken.VoiceGrant({ outgoingApplicationSid: settings.twimlAppSid, incomingAllow: false }),
      );
      const lead = await deps.leads.get(link.workspaceId, link.leadId);
      return { token: token.toJwt(), identity: link.slackUserId, linkId: link.id, leadName: lead?.name ?? "" };
    },

    async workspaceOfLink(linkId) {
      return (await deps.links.byId(linkId))?.workspaceId;
    },
    async linkForCall(linkId, identity) {
      const link = await deps.links.byId(linkId);
      if (
        !link ||
        link.slackUserId !== identity ||
        !link.usedAt ||
        !link.sessionExpiresAt ||
        link.sessionExpiresAt <= deps.clock.now()
      )
        throw invalid();
      return link;
    },
  };
  return service;
}
