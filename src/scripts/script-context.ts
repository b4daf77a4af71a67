import { dirname, resolve } from "node:path";
import type { Workspace } from "@prisma/client";
import { type Config, loadConfig } from "../config.js";
import { createLogger } from "../lib/log.js";
import { type DatabaseHandle, openDatabase } from "../services/store/db.js";
import { type Keyring, loadKeyring } from "../services/store/keyring.js";
import { createWorkspaceDirectory, type WorkspaceDirectory } from "../services/workspaces/workspace-store.js";

/**
 * What the npm scripts share: the configuration (Slack values are not needed to run them), the
 * migrated database, and the workspace a script works on.
 */
export async function scriptContext(): Promise<{
  config: Config;
  database: DatabaseHandle;
  workspaces: WorkspaceDirectory;
  keyring: (options?: { generate?: boolean }) => Keyring;
}> {
  const config = loadConfig({ SLACK_BOT_TOKEN: "xoxb-script", SLACK_SIGNING_SECRET: "script", ...process.env });
  const { database } = await openDatabase(config.DATABASE_URL);
  const keyring = (options: { generate?: boolean } = {}) =>
    loadKeyring({
      ...options,
      currentKey: config.APP_ENCRYPTION_KEY,
      previousKey: config.APP_ENCRYPTION_KEY_PREVIOUS,
      production: config.NODE_ENV === "production",
      dataDir: database.sqlite ? dirname(database.sqlite.file) : resolve(process.cwd(), "data"),
      log: createLogger(config.LOG_LEVEL),
    });
  return { config, database, workspaces: createWorkspaceDirectory(database.prisma), keyring };
}

/**
 * The workspace named by `--workspace <Slack team id>` (or by its Leadline id), else the only one
 * there is. With several and none named, it says which there are.
 */
export async function pickWorkspace(workspaces: Pick<WorkspaceDirectory, "all">, args: string[]): Promise<Workspace> {
  const index = args.indexOf("--workspace");
  const wanted = index >= 0 ? args[index + 1] : undefined;
  const all = await workspaces.all();
  if (wanted) {
    const found = all.find((ws) => ws.teamId === wanted || ws.enterpriseId === wanted || String(ws.id) === wanted);
    if (!found) throw new Error(`No workspace ${wanted}. Known: ${describe(all)}.`);
    return found;
  }
  if (all.length === 1) return all[0]!;
  if (all.length === 0) throw new Error("No workspace yet: start Leadline once (or install it) first.");
  throw new Error(`Several workspaces: add --workspace <team id>. Known: ${describe(all)}.`);
}

const describe = (all: Workspace[]) =>
  all.map((ws) => `${ws.teamId || ws.enterpriseId || "(not yet named)"}${ws.name ? ` (${ws.name})` : ""}`).join(", ");
