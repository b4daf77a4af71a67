import type { Context } from "@slack/bolt";

/** The workspace (tenant) a Slack request belongs to, as Leadline's authorize() put it in the context. */
export function workspaceOf(context: Context): number {
  const ws = (context as { workspaceId?: unknown }).workspaceId;
  if (typeof ws !== "number") throw new Error("a Slack request reached a listener without a workspace");
  return ws;
}
