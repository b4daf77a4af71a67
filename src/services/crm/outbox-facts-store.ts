import type { Call, Lead, Text } from "@prisma/client";
import type { Db } from "../store/db.js";
import type { OutboxClaim } from "./outbox-store.js";

/**
 * What the outbox sender needs to log a batch of claimed rows, read for the whole batch at once: the
 * calls or texts, their leads, the CRM person each lead is linked to and the CRM user of each call's
 * agent. Five queries a batch instead of four a row: the reads were most of a send's own cost.
 * (The rows were written by the calls and texts domains' own transactions; this only reads them.)
 */

export const CALL_FIELDS = {
  id: true,
  workspaceId: true,
  leadId: true,
  twilioSid: true,
  status: true,
  durationSec: true,
  answeredBy: true,
  voicemailLeft: true,
  mode: true,
  agentLegStatus: true,
  outcome: true,
  fromNumber: true,
  toNumber: true,
  placedBy: true,
} as const;
export type CallForLog = Pick<Call, keyof typeof CALL_FIELDS>;

const TEXT_FIELDS = {
  id: true,
  workspaceId: true,
  leadId: true,
  direction: true,
  phone: true,
  teamNumber: true,
  body: true,
} as const;
export type TextForLog = Pick<Text, keyof typeof TEXT_FIELDS>;

const LEAD_FIELDS = { id: true, workspaceId: true, name: true, phone: true, email: true, ownerSlackId: true } as const;
export type LeadForLog = Pick<Lead, keyof typeof LEAD_FIELDS>;

interface Linked {
  lead: LeadForLog | undefined;
  /** The CRM person the lead is linked to (the lowest id when two people share its phone). */
  personId: number | undefined;
}

export type SendFacts =
  | ({ kind: "call"; call: CallForLog; crmUserId: number | undefined } & Linked)
  | ({ kind: "text"; text: TextForLog } & Linked)
  /** The call or text is no longer in Leadline (or the row is of a kind Leadline does not log). */
  | { kind: "missing" };

export interface OutboxFactsStore {
  /** The facts of each claim, by the claim's row id. */
  factsOf(claims: readonly OutboxClaim[]): Promise<Map<number, SendFacts>>;
}

const key = (ws: number, id: number | string) => `${ws}:${id}`;

export function createOutboxFactsStore(db: Db): OutboxFactsStore {
  return {
    async factsOf(claims) {
      const callIds = claims.flatMap((c) => (c.kind === "call" && c.callId !== null ? [c.callId] : []));
      const textIds = claims.flatMap((c) => (c.kind === "text" && c.textId !== null ? [c.textId] : []));
      const [calls, texts] = await Promise.all([
        callIds.length > 0 ? db.call.findMany({ where: { id: { in: callIds } }, select: CALL_FIELDS }) : [],
        textIds.length > 0 ? db.text.findMany({ where: { id: { in: textIds } }, select: TEXT_FIELDS }) : [],
      ]);
      const leadIds = [
        ...new Set([...calls.map((c) => c.leadId), ...texts.flatMap((t) => (t.leadId === null ? [] : [t.leadId]))]),
      ];
      const agents = [...new Set(calls.map((c) => c.placedBy))];
      const [leads, people, users] = await Promise.all([
        leadIds.length > 0 ? db.lead.findMany({ where: { id: { in: leadIds } }, select: LEAD_FIELDS }) : [],
        leadIds.length > 0
          ? db.crmPerson.findMany({
              where: { leadId: { in: leadIds } },
              orderBy: { personId: "asc" },
              select: { workspaceId: true, leadId: true, personId: true },
            })
          : [],
        agents.length > 0
          ? db.crmUser.findMany({
              where: { slackUserId: { in: agents } },
              select: { workspaceId: true, slackUserId: true, crmUserId: true },
            })
          : [],
      ]);
      const leadById = new Map(leads.map((l) => [key(l.workspaceId, l.id), l]));
      const personOf = new Map<string, number>();
      for (const p of people)
        if (!personOf.has(key(p.workspaceId, p.leadId))) personOf.set(key(p.workspaceId, p.leadId), p.personId);
      const userOf = new Map(users.map((u) => [key(u.workspaceId, u.slackUserId), u.crmUserId]));
      const callById = new Map(calls.map((c) => [c.id, c]));
      const textById = new Map(texts.map((t) => [t.id, t]));
      const linked = (ws: number, leadId: number | null): Linked =>
        leadId === null
          ? { lead: undefined, personId: undefined }
          : { lead: leadById.get(key(ws, leadId)), personId: personOf.get(key(ws, leadId)) };

      const facts = new Map<number, SendFacts>();
      for (const claim of claims) {
        const call = claim.callId === null ? undefined : callById.get(claim.callId);
        const text = claim.textId === null ? undefined : textById.get(claim.textId);
        // Every row belongs to one workspace: a call or text of another is as good as missing.
        if (claim.kind === "call" && call?.workspaceId === claim.ws) {
          facts.set(claim.id, {
            kind: "call",
            call,
            crmUserId: userOf.get(key(claim.ws, call.placedBy)),
            ...linked(claim.ws, call.leadId),
          });
        } else if (claim.kind === "text" && text?.workspaceId === claim.ws && text.leadId !== null) {
          facts.set(claim.id, { kind: "text", text, ...linked(claim.ws, text.leadId) });
        } else facts.set(claim.id, { kind: "missing" });
      }
      return facts;
    },
  };
}
