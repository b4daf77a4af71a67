import type { Method } from "./method.js";

// Uploads the way files.uploadV2 does them: https://docs.slack.dev/reference/methods/files.getUploadURLExternal
// gives an upload URL (the simulator's /upload/<id>), the bytes are POSTed there, and
// https://docs.slack.dev/reference/methods/files.completeUploadExternal shares them in a channel.

const getUploadUrl: Method = (workspace, args) => {
  const length = Number(args.length ?? 0);
  if (!args.filename || !(length > 0)) return { ok: false, error: "invalid_arguments" };
  const id = `F${String(workspace.nextId()).padStart(9, "0")}`;
  workspace.files.set(id, {
    name: String(args.filename),
    title: String(args.filename),
    bytes: Buffer.alloc(0),
    type: "",
  });
  return { ok: true, upload_url: `${workspace.baseUrl()}/upload/${id}`, file_id: id };
};

const completeUpload: Method = (workspace, args) => {
  const list = (typeof args.files === "string" ? JSON.parse(args.files) : args.files) as
    | { id: string; title?: string }[]
    | undefined;
  if (!list?.length) return { ok: false, error: "invalid_arguments" };
  const files = [];
  for (const entry of list) {
    const file = workspace.files.get(entry.id);
    if (!file || file.bytes.length === 0) return { ok: false, error: "file_not_found" };
    file.title = entry.title ?? file.name;
    files.push({ id: entry.id, name: file.name, title: file.title, bytes: file.bytes.length });
  }
  const channel = args.channel_id ? String(args.channel_id) : undefined;
  if (channel) {
    workspace.post({
      channel,
      text: String(args.initial_comment ?? ""),
      threadTs: args.thread_ts ? String(args.thread_ts) : undefined,
      files,
    });
  }
  return { ok: true, files: files.map((file) => ({ id: file.id, title: file.title, name: file.name })) };
};

// https://docs.slack.dev/reference/methods/files.delete: `file` (an id); file_not_found for an id never
// handed out, file_deleted for one already deleted. The file leaves every message that shared it.
const deleteFile: Method = (workspace, args) => {
  const id = String(args.file ?? "");
  if (!id) return { ok: false, error: "invalid_arguments" };
  if (workspace.deletedFiles.has(id)) return { ok: false, error: "file_deleted" };
  if (!workspace.files.delete(id)) return { ok: false, error: "file_not_found" };
  workspace.deletedFiles.add(id);
  for (const message of workspace.messages) {
    if (message.files?.some((file) => file.id === id)) message.files = message.files.filter((file) => file.id !== id);
  }
  workspace.changed();
  return { ok: true };
};

// https://docs.slack.dev/reference/methods/files.info: the file object (file_not_found for an id the
// workspace does not hold); its url_private_download needs the token in an Authorization header.
const fileInfo: Method = (workspace, args) => {
  if (typeof args.file !== "string" || args.file === "") return { ok: false, error: "invalid_arguments" };
  const file = workspace.fileJson(args.file);
  if (!file) return { ok: false, error: "file_not_found" };
  return { ok: true, file, comments: [], response_metadata: { next_cursor: "" } };
};

export const fileMethods: Record<string, Method> = {
  "files.info": fileInfo,
  "files.getUploadURLExternal": getUploadUrl,
  "files.completeUploadExternal": completeUpload,
  "files.delete": deleteFile,
};
