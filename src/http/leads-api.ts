import type { IncomingMessage } from "node:http";
import type { Call, Consent, Lead, Note } from "@prisma/client";
import { z } from "zod";
import type { Deps } from "../deps.js";
import { cardOptions } from "../interactions/card-options.js";
import { ago } from "../lib/time.js";
import { validateConsent } from "../services/compliance/consent-service.js";
import { validateNewLead } from "../services/leads/lead-service.js";
import { leadCard, leadCardText } from "../views/lead-card.js";
import { HttpError, type Router, readBody, sendJson } from "./router.js";

const MAX_BODY = 64 * 1024;

const leadBody = z.object({
  name: z.string({ error: "name is required and must be a string" }),
  phone: z.string({ error: "phone is required and must be a string" }),
  email: z.string({ error: "email must be a string" }).optional(),
  source: z.string({ error: "source must be a string" }).optional(),
  note: z.string({ error: "note must be a string" }).optional(),
  state: z.string({ error: 'state must be a string such as "FL"' }).optional(),
  zip: z.string({ error: 'zip must be a string such as "33101"' }).optional(),
  doNotCall: z.boolean({ error: "doNotCall must be true or false" }).optional(),
  consent: z
    .object(
      {
        scope: z.unknown(),
        method: z.unknown(),
        text: z.unknown(),
        at: z.unknown().optional(),
        sourceUrl: z.unknown().optional(),
      },
      { error: "consent must be an object with scope, method and text" },
    )
    .optional(),
  submittedAt: z.iso
    .datetime({ error: "submittedAt must be an ISO 8601 time such as 2026-10-14T19:03:04Z", offset: true })
    .optional(),
});

export function serializeLead(
  lead: Lead & { notes?: Note[]; calls?: Call[] },
  compliance: { doNotCall: boolean; consents: Consent[] },
) {
  return {
    id: lead.id,
    name: lead.name,
    phone: lead.phone,
    email: lead.email,
    source: lead.source,
    owner: lead.ownerSlackId,
    state: lead.state,
    zip: lead.zip,
    // The do-not-call list is kept by number: true when this lead's number is on it.
    doNotCall: compliance.doNotCall,
    consents: compliance.consents.map((consent) => ({
      id: consent.id,
      scope: consent.scope,
      method: consent.method,
      text: consent.text,
      at: consent.at.toISOString(),
      sourceUrl: consent.sourceUrl,
      recordedBy: consent.recordedBy,
      revokedAt: consent.revokedAt?.toISOString() ?? null,
      revokedHow: consent.revokedHow,
    })),
    lastContactedAt: lead.lastContactedAt?.toISOString() ?? null,
    createdAt: lead.createdAt.toISOString(),
    updatedAt: lead.updatedAt.toISOString(),
    ...(lead.notes
      ? {
          notes: lead.notes.map((note) => ({
            id: note.id,
            author: note.author,
            body: note.body,
            createdAt: note.createdAt.toISOString(),
          })),
        }
      : {}),
    ...(lead.calls
      ? {
          calls: lead.calls.map((call) => ({
            id: call.id,
            mode: call.mode,
            from: call.fromNumber,
            to: call.toNumber,
            callSid: call.twilioSid,
            status: call.status,
            answeredBy: call.answeredBy,
            durationSeconds: call.durationSec,
            price: call.price === null ? null : Number(call.price),
            priceUnit: call.priceUnit,
            placedBy: call.placedBy,
            errorCode: call.errorCode,
            errorMessage: call.errorMessage,
            createdAt: call.createdAt.toISOString(),
            endedAt: call.endedAt?.toISOString() ?? null,
          })),
        }
      : {}),
  };
}

/** A UTF-16 surrogate without its pair: JSON can carry one (`"\ud800"`), UTF-8 text and the database cannot. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * The path of the first string (or key) in a JSON value that holds a lone surrogate, e.g. "note" or
 * "consent.text". Walked without recursion: a body can nest deeper than the call stack.
 */
export function brokenTextAt(value: unknown): string | undefined {
  const pending: [unknown, string][] = [[value, ""]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [item, path] = next;
    if (typeof item === "string") {
      if (LONE_SURROGATE.test(item)) return path || "body";
      continue;
    }
    if (typeof item !== "object" || item === null) continue;
    const entries = Object.entries(item);
    for (let i = entries.length - 1; i >= 0; i -= 1) {
      const [key, inner] = entries[i]!;
      const at = path ? `${path}.${key}` : key;
      if (LONE_SURROGATE.test(key)) return at;
      pending.push([inner, at]);
    }
  }
  return undefined;
}

/** A 400 naming the field when the body holds a lone surrogate: it would fail deep in the database as a 500. */
function refuseBrokenText(json: unknown): void {
  const broken = brokenTextAt(json);
  if (!broken) return;
  throw new HttpError(400, "broken text", {
    error: "invalid_body",
    message: "Fix the fields listed.",
    fields: {
      [broken]: `${broken} holds a broken character (half of a UTF-16 surrogate pair); send valid Unicode text.`,
    },
  });
}

/** The workspace a bearer token belongs to: LEADS_API_TOKEN's in single-workspace mode, a workspace's own otherwise. */
async function authorize(req: IncomingMessage, deps: Deps): Promise<number> {
  if (deps.workspaces.mode === "single" && !deps.config.LEADS_API_TOKEN)
    throw new HttpError(503, "lead API disabled", {
      error: "lead_api_disabled",
      message: "Set LEADS_API_TOKEN to enable the lead API.",
    });
  const header = req.headers.authorization ?? "";
  const token = header.startsWith("Bearer ") ? header.slice(7).trim() : "";
  const ws = token ? await deps.workspaces.workspaceForLeadsToken(token) : undefined;
  if (ws === undefined) {
    throw new HttpError(401, "unauthorized", {
      error: "unauthorized",
      message:
        deps.workspaces.mode === "single"
          ? "Send Authorization: Bearer <LEADS_API_TOKEN>."
          : "Send Authorization: Bearer <token>; an admin gets one with /twilio-setup api-token.",
    });
  }
  return ws;
}

export function registerLeadsApi(router: Router, deps: Deps): void {
  const serialized = async (lead: Lead & { notes?: Note[]; calls?: Call[] }) => {
    const ws = lead.workspaceId;
    const [listed, consents] = await Promise.all([
      lead.phone ? deps.dnc.listedAmong(ws, [lead.phone]) : Promise.resolve(new Set<string>()),
      deps.consents.list(ws, lead.id),
    ]);
    return serializeLead(lead, { doNotCall: Boolean(lead.phone && listed.has(lead.phone)), consents });
  };

  router.add("POST", "/api/leads", async ({ req, res }) => {
    const ws = await authorize(req, deps);
    if (!(req.headers["content-type"] ?? "").toLowerCase().startsWith("application/json")) {
      throw new HttpError(415, "json only", {
        error: "unsupported_media_type",
        message: "Send the lead as JSON (Content-Type: application/json).",
      });
    }
    const raw = await readBody(req, MAX_BODY);
    let json: unknown;
    try {
      json = JSON.parse(raw.toString("utf8"));
    } catch {
      throw new HttpError(400, "invalid json", { error: "invalid_json", message: "The body is not valid JSON." });
    }
    refuseBrokenText(json);
    const parsed = leadBody.safeParse(json);
    if (!parsed.success) {
      const fields = Object.fromEntries(
        parsed.error.issues.map((issue) => [issue.path.join(".") || "body", issue.message]),
      );
      throw new HttpError(400, "bad body", { error: "invalid_body", message: "Fix the fields listed.", fields });
    }
    const body = parsed.data;
    const { errors } = validateNewLead(body, deps.config.DEFAULT_COUNTRY);
    if (!body.phone.trim()) errors.phone = "Give the lead's phone number.";
    const fields: Record<string, string> = { ...errors };
    if (body.consent) {
      try {
        validateConsent(body.consent, deps.clock());
      } catch (error) {
        fields.consent = (error as Error).message;
      }
      if (body.doNotCall) fields.doNotCall = "A lead cannot both consent to calls and ask not to be called: send one.";
    }
    if (Object.keys(fields).length > 0) {
      throw new HttpError(422, "invalid lead", {
        error: "validation_failed",
        message: "Fix the fields listed.",
        fields,
      });
    }
    const author = body.source ? `api (${body.source})` : "api";
    const { lead, created } = await deps.leads.createOrGet(ws, { ...body, author });
    if (lead.phone && body.doNotCall) await deps.dnc.add(ws, lead.phone, "api", author, "doNotCall in the lead API");
    if (body.consent) await deps.consents.record(ws, lead, body.consent, author);
    sendJson(res, created ? 201 : 200, { created, lead: await serialized(lead) });
    const channel = (await deps.settings.get(ws)).leadsChannel ?? deps.config.LEADS_CHANNEL_ID;
    if (created && channel) {
      const arrived = body.submittedAt ? new Date(body.submittedAt) : lead.createdAt;
      deps.tasks.run(async () => {
        const full = await deps.leads.get(ws, lead.id);
        if (!full) return;
        const now = deps.clock();
        const banner = `:rotating_light: New lead${lead.source ? ` from ${lead.source}` : ""} · waited ${ago(arrived, now)} · speed to lead: call now`;
        await (await deps.slackFor(ws)).postToChannel(
          { channel },
          {
            text: `New lead: ${leadCardText(full)}`,
            blocks: leadCard(full, await cardOptions(deps, ws, [full], { banner })),
          },
        );
      });
    }
  });

  router.add("GET", "/api/leads/:id", async ({ req, res, params }) => {
    const ws = await authorize(req, deps);
    const id = Number(params.id);
    const lead = Number.isInteger(id) && id > 0 && id < 2_147_483_648 ? await deps.leads.detail(ws, id) : undefined;
    if (!lead) throw new HttpError(404, "no lead", { error: "not_found", message: `No lead with id ${params.id}.` });
    sendJson(res, 200, { lead: await serialized(lead) });
  });
}
