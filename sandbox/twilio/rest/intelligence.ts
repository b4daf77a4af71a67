import type { SimContext } from "../context.js";
import {
  newServiceSid,
  newTranscriptSid,
  type SimIntelligenceService,
  type SimTranscript,
  scriptedSentences,
  scriptFor,
  statusOf,
} from "../intelligence.js";
import type { Json } from "../model.js";
import { notFound, type RestResult, restError, sidFrom } from "../rest-kit.js";
import type { RestRequest, RestRoute } from "./route.js";

/**
 * Voice Intelligence v2 over REST (intelligence.twilio.com/v2; the account is the one authenticating):
 * Services create/list/fetch, Transcripts create/list/fetch/delete, and a transcript's Sentences.
 * Parameters and fields: twilio-node lib/rest/intelligence/v2 (ServiceListInstanceCreateOptions,
 * TranscriptListInstanceCreateOptions, SentenceResource); https://www.twilio.com/docs/voice/intelligence/api.
 */

const SERVICE_PARAMS = new Set([
  "UniqueName",
  "AutoTranscribe",
  "DataLogging",
  "FriendlyName",
  "LanguageCode",
  "AutoRedaction",
  "MediaRedaction",
  "WebhookUrl",
  "WebhookHttpMethod",
  "EncryptionCredentialSid",
]);
const TRANSCRIPT_PARAMS = new Set(["ServiceSid", "Channel", "CustomerKey", "MediaStartTime"]);

const iso = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, "Z");
const bool = (value: string | null) => value === "true" || value === "True";
const invalid = (message: string) => restError(400, 20001, message);

function unknownParam(params: URLSearchParams, allowed: Set<string>): RestResult | undefined {
  for (const key of params.keys()) if (!allowed.has(key)) return invalid(`Invalid parameter: ${key}`);
  return undefined;
}

/** A page of a v2 list: the items under `key` and meta with absolute page URLs. */
function page(request: RestRequest, key: string, items: Json[]): RestResult {
  const { ctx, path, query } = request;
  const pageSize = Math.min(5000, Math.max(1, Number(query.get("PageSize") ?? 50) || 50));
  const number = Math.max(0, Number(query.get("Page") ?? 0) || 0);
  const at = (n: number) => {
    const q = new URLSearchParams(query);
    q.set("PageSize", String(pageSize));
    q.set("Page", String(n));
    return `${ctx.baseUrl}${path}?${q}`;
  };
  const more = (number + 1) * pageSize < items.length;
  return {
    status: 200,
    body: {
      [key]: items.slice(number * pageSize, (number + 1) * pageSize),
      meta: {
        page: number,
        page_size: pageSize,
        first_page_url: at(0),
        previous_page_url: number > 0 ? at(number - 1) : null,
        url: at(number),
        next_page_url: more ? at(number + 1) : null,
        key,
      },
    },
  };
}

function serviceJson(ctx: SimContext, s: SimIntelligenceService): Json {
  return {
    account_sid: s.accountSid,
    auto_redaction: s.autoRedaction,
    media_redaction: s.mediaRedaction,
    auto_transcribe: s.autoTranscribe,
    data_logging: s.dataLogging,
    date_created: iso(s.created),
    date_updated: iso(s.updated),
    friendly_name: s.friendlyName,
    language_code: s.languageCode,
    sid: s.sid,
    unique_name: s.uniqueName,
    url: `${ctx.baseUrl}/v2/Services/${s.sid}`,
    webhook_url: s.webhookUrl,
    webhook_http_method: s.webhookHttpMethod,
    read_only_attached_operator_sids: [],
    version: s.version,
    encryption_credential_sid: null,
  };
}

function transcriptJson(ctx: SimContext, t: SimTranscript): Json {
  const status = statusOf(t);
  const url = `${ctx.baseUrl}/v2/Transcripts/${t.sid}`;
  return {
    account_sid: t.accountSid,
    service_sid: t.serviceSid,
    sid: t.sid,
    date_created: iso(t.created),
    date_updated: iso(status === "queued" ? t.created : new Date(Math.min(Date.now(), t.readyAt))),
    status,
    channel: t.channel,
    data_logging: false,
    language_code: "en-US",
    customer_key: t.customerKey,
    media_start_time: null,
    duration: status === "completed" ? t.durationSec : 0,
    url,
    redaction: t.redaction,
    encryption_credential_sid: null,
    links: { sentences: `${url}/Sentences`, media: `${url}/Media`, operator_results: `${url}/OperatorResults` },
  };
}

/** Auto-redaction: what Twilio calls PII in a sentence; here runs of digits that look like card, social security or phone numbers. */
const redact = (text: string) => text.replace(/\d(?:[\d -]{4,}\d)/g, (run) => run.replace(/\d/g, "#"));

function createService({ ctx, account, params }: RestRequest): RestResult {
  const intel = ctx.intelligence;
  const bad = unknownParam(params, SERVICE_PARAMS);
  if (bad) return bad;
  const uniqueName = params.get("UniqueName")?.trim();
  if (!uniqueName) return invalid("Missing required parameter UniqueName in the post body");
  if (bool(params.get("DataLogging")))
    return invalid(
      "Data logging cannot be activated via API, only via www.twilio.com, as it requires additional consent.",
    );
  if (bool(params.get("MediaRedaction")) && !bool(params.get("AutoRedaction")))
    return invalid("MediaRedaction requires AutoRedaction to be enabled.");
  if ([...intel.services.values()].some((s) => s.accountSid === account.sid && s.uniqueName === uniqueName))
    return restError(409, 20409, `A Service with UniqueName ${uniqueName} already exists.`);
  const friendlyName = params.get("FriendlyName");
  if (friendlyName && friendlyName.length > 64) return invalid("FriendlyName must be 64 characters or fewer.");
  const now = new Date();
  const service: SimIntelligenceService = {
    sid: newServiceSid(),
    accountSid: account.sid,
    uniqueName,
    friendlyName,
    autoRedaction: bool(params.get("AutoRedaction")),
    mediaRedaction: bool(params.get("MediaRedaction")),
    autoTranscribe: bool(params.get("AutoTranscribe")),
    dataLogging: false,
    languageCode: params.get("LanguageCode") ?? "en-US",
    webhookUrl: params.get("WebhookUrl"),
    webhookHttpMethod: params.get("WebhookHttpMethod"),
    created: now,
    updated: now,
    version: 1,
  };
  intel.services.set(service.sid, service);
  return { status: 201, body: serviceJson(ctx, service) };
}

/** The Channel parameter: JSON with media_properties.source_sid (a recording of the account) and optional participants. */
function readChannel(
  ctx: SimContext,
  accountSid: string,
  raw: string | null,
): { channel: Json; recording: string } | RestResult {
  if (!raw) return invalid("Missing required parameter Channel in the post body");
  let channel: Json;
  try {
    channel = JSON.parse(raw) as Json;
  } catch {
    return invalid("Channel must be a JSON object.");
  }
  const media = channel?.media_properties as Json | undefined;
  const source = typeof media?.source_sid === "string" ? media.source_sid : undefined;
  if (!source) return invalid("Channel.media_properties.source_sid (or media_url) is required.");
  const recording = ctx.intelligence.recordings.get(source);
  if (!recording || recording.accountSid !== accountSid)
    return invalid(`Invalid source_sid: ${source} is not a recording of this account.`);
  const participants = channel.participants;
  if (participants !== undefined) {
    if (!Array.isArray(participants) || participants.length > 2)
      return invalid("Channel.participants must list at most two participants.");
    for (const p of participants as Json[]) {
      const index = p?.channel_participant;
      if (index !== 1 && index !== 2) return invalid("Each participant needs channel_participant 1 or 2.");
    }
  }
  return { channel, recording: source };
}

function createTranscript({ ctx, account, params }: RestRequest): RestResult {
  const intel = ctx.intelligence;
  const bad = unknownParam(params, TRANSCRIPT_PARAMS);
  if (bad) return bad;
  const serviceSid = params.get("ServiceSid");
  if (!serviceSid) return invalid("Missing required parameter ServiceSid in the post body");
  const service = intel.services.get(serviceSid);
  if (!service || service.accountSid !== account.sid) return notFound();
  const customerKey = params.get("CustomerKey");
  if (customerKey && customerKey.length > 64) return invalid("CustomerKey must be 64 characters or fewer.");
  const read = readChannel(ctx, account.sid, params.get("Channel"));
  if ("status" in read) return read;
  const recording = intel.recordings.get(read.recording)!;
  const now = Date.now();
  const script = scriptFor(recording.leadNumber);
  const transcript: SimTranscript = {
    sid: newTranscriptSid(),
    accountSid: account.sid,
    serviceSid,
    channel: read.channel,
    customerKey,
    created: new Date(now),
    updated: new Date(now),
    startsAt: now + Math.round(intel.readyAfterMs / 5),
    readyAt: now + intel.readyAfterMs,
    ends: script.fails ? "failed" : "completed",
    sentences: script.fails ? [] : scriptedSentences(recording),
    durationSec: recording.durationSec,
    redaction: service.autoRedaction,
  };
  intel.transcripts.set(transcript.sid, transcript);
  return { status: 201, body: transcriptJson(ctx, transcript) };
}

const transcriptOf = ({ ctx, account, match }: RestRequest) => {
  const found = ctx.intelligence.transcripts.get(match[1]!);
  return found?.accountSid === account.sid ? found : undefined;
};

function listSentences(request: RestRequest): RestResult {
  const transcript = transcriptOf(request);
  if (!transcript) return notFound();
  if (statusOf(transcript) !== "completed") return page(request, "sentences", []);
  const redacted = request.query.get("Redacted") !== "false";
  return page(
    request,
    "sentences",
    transcript.sentences.map((s, index) => ({
      media_channel: s.mediaChannel,
      sentence_index: index,
      start_time: s.startSec.toFixed(2),
      end_time: s.endSec.toFixed(2),
      transcript: transcript.redaction && redacted ? redact(s.text) : s.text,
      sid: sidFrom("GX", `${transcript.sid}.${index}`),
      confidence: s.confidence.toFixed(2),
      words: [],
    })),
  );
}

export const intelligenceRoutes: RestRoute[] = [
  {
    operation: "createIntelligenceService",
    api: "v1",
    method: "POST",
    path: /^\/v2\/Services$/,
    handle: createService,
  },
  {
    operation: "listIntelligenceServices",
    api: "v1",
    method: "GET",
    path: /^\/v2\/Services$/,
    handle: (request) =>
      page(
        request,
        "services",
        [...request.ctx.intelligence.services.values()]
          .filter((s) => s.accountSid === request.account.sid)
          .map((s) => serviceJson(request.ctx, s)),
      ),
  },
  {
    operation: "fetchIntelligenceService",
    api: "v1",
    method: "GET",
    path: /^\/v2\/Services\/(GA[0-9a-f]{32})$/,
    handle: ({ ctx, account, match }) => {
      const found = ctx.intelligence.services.get(match[1]!);
      return found?.accountSid === account.sid ? { status: 200, body: serviceJson(ctx, found) } : notFound();
    },
  },
  { operation: "createTranscript", api: "v1", method: "POST", path: /^\/v2\/Transcripts$/, handle: createTranscript },
  {
    operation: "listTranscripts",
    api: "v1",
    method: "GET",
    path: /^\/v2\/Transcripts$/,
    handle: (request) => {
      const { query } = request;
      return page(
        request,
        "transcripts",
        [...request.ctx.intelligence.transcripts.values()]
          .filter(
            (t) =>
              t.accountSid === request.account.sid &&
              (!query.get("ServiceSid") || t.serviceSid === query.get("ServiceSid")) &&
              (!query.get("CustomerKey") || t.customerKey === query.get("CustomerKey")) &&
              (!query.get("SourceSid") ||
                (t.channel.media_properties as Json | undefined)?.source_sid === query.get("SourceSid")),
          )
          .map((t) => transcriptJson(request.ctx, t)),
      );
    },
  },
  {
    operation: "fetchTranscript",
    api: "v1",
    method: "GET",
    path: /^\/v2\/Transcripts\/(GT[0-9a-f]{32})$/,
    handle: (request) => {
      const found = transcriptOf(request);
      return found ? { status: 200, body: transcriptJson(request.ctx, found) } : notFound();
    },
  },
  {
    operation: "deleteTranscript",
    api: "v1",
    method: "DELETE",
    path: /^\/v2\/Transcripts\/(GT[0-9a-f]{32})$/,
    handle: (request) => {
      const found = transcriptOf(request);
      if (!found) return notFound();
      request.ctx.intelligence.transcripts.delete(found.sid);
      return { status: 204, body: null };
    },
  },
  {
    operation: "listSentences",
    api: "v1",
    method: "GET",
    path: /^\/v2\/Transcripts\/(GT[0-9a-f]{32})\/Sentences$/,
    handle: listSentences,
  },
];
