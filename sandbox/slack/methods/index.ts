import type { SlackTeam } from "../oauth.js";
import type { Workspace } from "../workspace.js";
import { chatMethods } from "./chat.js";
import { fileMethods } from "./files.js";
import type { Json, Method } from "./method.js";
import { teamMethods } from "./team.js";
import { viewMethods } from "./views.js";

const METHODS: Record<string, Method> = { ...teamMethods, ...chatMethods, ...viewMethods, ...fileMethods };

/** The Web API: one method call with its arguments, answered as Slack answers (`unknown_method` for one it lacks). */
export function callMethod(workspace: Workspace, method: string, args: Json, team?: SlackTeam): Json {
  const handler = Object.hasOwn(METHODS, method) ? METHODS[method] : undefined;
  return handler ? handler(workspace, args, team) : { ok: false, error: "unknown_method" };
}
