import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { SandboxFile, SandboxMessage, Workspace } from "./workspace.js";

/** What is kept of the console's Slack between runs: the messages and the files they show. */
interface Kept {
  version: 1;
  counter: number;
  messages: SandboxMessage[];
  files: (Omit<SandboxFile, "bytes"> & { id: string; bytes: string })[];
  homes: { user: string; id: string; view: Record<string, unknown> }[];
}

export interface KeptMessages {
  /** True when messages of an earlier run were put back. */
  restored: boolean;
  /** Writes what is pending now (at stop). */
  flush(): void;
  stop(): void;
}

/**
 * Keeps the console's messages (and the files and Home tabs they show) in `file` across sandbox
 * restarts, as Slack keeps a channel: the database keeps the calls and the posts' timestamps, so a
 * scheduled call's line still finds its thread after a restart. `fresh` (the database is new) drops
 * what was kept, so both start over together.
 */
export function keepMessages(workspace: Workspace, file: string, fresh: boolean): KeptMessages {
  let restored = false;
  if (fresh) rmSync(file, { force: true });
  else if (existsSync(file)) restored = restore(workspace, file);
  let timer: NodeJS.Timeout | undefined;
  let lastWritten = -1;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (workspace.version === lastWritten) return;
    lastWritten = workspace.version;
    const kept: Kept = {
      version: 1,
      counter: workspace.nextId(),
      messages: workspace.messages,
      files: [...workspace.files].map(([id, f]) => ({ ...f, id, bytes: f.bytes.toString("base64") })),
      homes: [...workspace.homes.values()].map((home) => ({ user: home.user, id: home.id, view: home.view })),
    };
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(`${file}.tmp`, JSON.stringify(kept));
    renameSync(`${file}.tmp`, file);
  };
  const unsubscribe = workspace.onChange(() => {
    timer ??= setTimeout(flush, 250);
  });
  return {
    restored,
    flush,
    stop() {
      unsubscribe();
      flush();
    },
  };
}

function restore(workspace: Workspace, file: string): boolean {
  let kept: Kept;
  try {
    kept = JSON.parse(readFileSync(file, "utf8")) as Kept;
  } catch {
    return false;
  }
  if (kept.version !== 1 || !Array.isArray(kept.messages)) return false;
  // Ids handed out from now on follow the kept ones.
  while (workspace.nextId() < kept.counter);
  workspace.messages.push(...kept.messages);
  for (const { id, bytes, ...rest } of kept.files ?? [])
    workspace.files.set(id, { ...rest, bytes: Buffer.from(bytes, "base64") });
  for (const home of kept.homes ?? []) workspace.publishHome(home.user, home.view);
  workspace.changed();
  return kept.messages.length > 0;
}
