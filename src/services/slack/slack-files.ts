import type { WebClient } from "@slack/web-api";
import { UserError } from "../../lib/errors.js";

/** A file a person uploaded in Slack, as Leadline read it. */
export interface SlackFile {
  id: string;
  name: string;
  bytes: Buffer;
}

/** Slack's own limit for a file_input (https://docs.slack.dev/reference/block-kit/block-elements/file-input-element). */
export const SLACK_FILE_INPUT_LIMIT = 10 * 1024 * 1024;

/**
 * Reads a file a person uploaded, as Slack documents it: files.info gives the file object (scope
 * files:read), and its url_private_download is fetched with the bot token in an Authorization
 * header (https://api.slack.com/types/file#authentication). The token is only ever sent to Slack's
 * own hosts (files.slack.com, or the API's host, which is the simulator's in tests); a request
 * Slack did not take as signed in is redirected to a sign-in page, never taken for the file.
 */
export async function readSlackFile(slack: WebClient, fileId: string, maxBytes: number): Promise<SlackFile> {
  const info = await slack.files.info({ file: fileId });
  const file = info.file;
  const url = file?.url_private_download ?? file?.url_private;
  if (!file?.id || !url) throw UserError.of("file_missing");
  const name = file.name ?? file.title ?? file.id;
  if ((file.size ?? 0) > maxBytes) throw tooBig(name, maxBytes);
  const target = new URL(url);
  const apiHost = new URL(slack.slackApiUrl).host;
  if (target.protocol !== "https:" && target.host !== apiHost) throw new Error("a file URL that is not https");
  if (target.host !== "files.slack.com" && target.host !== apiHost) throw new Error(`a file URL on ${target.host}`);
  const res = await fetch(target, { headers: { authorization: `Bearer ${slack.token}` }, redirect: "manual" });
  if (res.status >= 300 && res.status < 400)
    throw new Error("Slack sent Leadline to its sign-in page for the file (is the files:read scope granted?)");
  if (!res.ok) throw new Error(`Slack answered ${res.status} for the file`);
  const bytes = await readCapped(res, maxBytes, name);
  return { id: file.id, name, bytes };
}

const tooBig = (name: string, maxBytes: number) =>
  UserError.of("file_too_big", { name, maxMb: Math.round(maxBytes / 1024 / 1024) });

async function readCapped(res: Response, maxBytes: number, name: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  if (!res.body) return Buffer.alloc(0);
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > maxBytes) throw tooBig(name, maxBytes);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}
