import { parseMaybeJson } from "../lib/http.js";

type Json = Record<string, unknown>;

/** The Web API reads form bodies (with JSON-encoded objects inside) or JSON bodies, as Slack does. */
export function parseArgs(raw: string, type: string): Json {
  if (raw.length === 0) return {};
  if (type.includes("application/json")) return JSON.parse(raw) as Json;
  const args: Json = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    args[key] = /^[[{]/.test(value) ? (parseMaybeJson(value) ?? value) : value;
  }
  return args;
}

/** client_id and client_secret sent the way Slack prefers: HTTP Basic authentication. */
export function basicCredentials(header: string): { client_id: string; client_secret: string } | undefined {
  if (!header.startsWith("Basic ")) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { client_id: decoded.slice(0, colon), client_secret: decoded.slice(colon + 1) };
}

export const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);

/** The file in an upload request: the body itself, or the part with a filename of a multipart body. */
export function fileFromUpload(body: Buffer, contentType: string): Buffer {
  const boundary = /^multipart\/form-data;.*boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary) return body;
  const delimiter = Buffer.from(`--${boundary}`);
  let start = body.indexOf(delimiter);
  while (start >= 0) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next < 0) break;
    const part = body.subarray(start + delimiter.length, next);
    const headerEnd = part.indexOf("\r\n\r\n");
    if (headerEnd >= 0 && /filename=/i.test(part.subarray(0, headerEnd).toString("latin1"))) {
      // The part's content ends with the CRLF before the next delimiter.
      return part.subarray(headerEnd + 4, part.length - 2);
    }
    start = next;
  }
  return body;
}
