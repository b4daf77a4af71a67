import type { IncomingMessage } from "node:http";
import type { Call, Consent, Lead, Note } from "@prisma/client";
import { z } from "zod";
import type { ConsentService } from "../services/compliance/consent-service.js";
import type { DncService } from "../services/compliance/dnc-service.js";
import { IntakeRefused, type LeadIntake } from "../services/leads/lead-intake.js";
import type { LeadService } from "../services/leads/lead-service.js";
import type { Workspaces } from "../services/workspaces/workspace-service.js";
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

export interface LeadsApiDeps {
  workspaces: Pick<Workspaces, "mode" | "workspaceForLeadsToken">;
  /** LEADS_API_TOKEN (single-workspace mode). */
  leadsApiToken?: string;
  leadIntake: Pick<LeadIntake, "intake">;
  leads: Pick<LeadService, "detail">;
  dnc: Pick<DncService, "listedAmong">;
  consents: Pick<ConsentService, "list">;
}

/** The workspace a bearer token belongs to: LEADS_API_TOKEN's in single-workspace mode, a workspace's own otherwise. */
async function authorize(req: IncomingMessage, deps: LeadsApiDeps): Promise<number> {
  if (deps.workspaces.mode === "single" && !deps.leadsApiToken)
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

/** The lead's JSON body, checked against its schema; the answer names every field to fix. */
async function leadOf(req: IncomingMessage) {
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
  return parsed.data;
}

/** The lead API: POST adds a lead (or answers with the one that has the phone), GET reads one with its history. */
export function registerLeadsApi(router: Router, deps: LeadsApiDeps): void {
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
    const { submittedAt, ...body } = await leadOf(req);
    const author = body.source ? `api (${body.source})` : "api";
    let result: Awaited<ReturnType<LeadIntake["intake"]>>;
    try {
      result = await deps.leadIntake.intake(ws, body, {
        origin: { kind: "api", source: body.source, submittedAt: submittedAt ? new Date(submittedAt) : undefined },
        author,
        ifExists: "return",
        requirePhone: true,
      });
    } catch (error) {
      if (!(error instanceof IntakeRefused)) throw error;
      const { consentText, ...fields } = error.fields;
      throw new HttpError(422, "invalid lead", {
        error: "validation_failed",
        message: "Fix the fields listed.",
        fields: consentText && !fields.consent ? { ...fields, consent: consentText } : fields,
      });
    }
    // The card is posted to the leads channel by the lead.created presenter (speed to lead).
    sendJson(res, result.created ? 201 : 200, { created: result.created, lead: await serialized(result.lead) });
  });

  router.add("GET", "/api/leads/:id", async ({ req, res, params }) => {
    const ws = await authorize(req, deps);
    const id = Number(params.id);
    const lead = Number.isInteger(id) && id > 0 && id < 2_147_483_648 ? await deps.leads.detail(ws, id) : undefined;
    if (!lead) throw new HttpError(404, "no lead", { error: "not_found", message: `No lead with id ${params.id}.` });
    sendJson(res, 200, { lead: await serialized(lead) });
  });
}
