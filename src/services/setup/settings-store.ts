import type { Db } from "../store/db.js";

/** An interactive transaction of the ORM (what secret writes take to join a settings change). */
export type SettingsTx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

/** The settings' own writes: a change, the workspace's settings version and its audit row, together. */
export interface SettingsStore {
  /** The workspace's settings version (bumped by every change); undefined when there is no workspace. */
  version(ws: number): Promise<number | undefined>;
  /** Whether channel messages show a lead's number as its last 4 digits. */
  masksNumbers(ws: number): Promise<boolean>;
  /** Runs `work` (the secret writes) in one transaction with the version bump and the audit row. */
  changeTogether(
    ws: number,
    actor: string,
    audit: { action: string; detail: Record<string, unknown> },
    work: (tx: SettingsTx) => Promise<void>,
  ): Promise<void>;
}

/** The privacy setting's write, made inside `changeTogether`. */
export async function writeMaskNumbers(tx: SettingsTx, ws: number, on: boolean): Promise<void> {
  await tx.workspace.update({ where: { id: ws }, data: { maskNumbers: on } });
}

export function createSettingsStore(db: Db): SettingsStore {
  return {
    async version(ws) {
      return (await db.workspace.findUnique({ where: { id: ws }, select: { settingsVersion: true } }))?.settingsVersion;
    },
    async masksNumbers(ws) {
      return (await db.workspace.findUnique({ where: { id: ws }, select: { maskNumbers: true } }))?.maskNumbers ?? true;
    },
    async changeTogether(ws, actor, audit, work) {
      await db.$transaction(async (tx) => {
        await work(tx);
        await tx.workspace.update({ where: { id: ws }, data: { settingsVersion: { increment: 1 } } });
        await tx.auditLog.create({
          data: { workspaceId: ws, actor, action: audit.action, detail: JSON.stringify(audit.detail) },
        });
      });
    },
  };
}
