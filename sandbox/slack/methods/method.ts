import type { SlackTeam } from "../oauth.js";
import type { Workspace } from "../workspace.js";

export type Json = Record<string, unknown>;

/**
 * One Web API method: its arguments in, Slack's answer out. `team` is the team the call's token was
 * issued for through OAuth; without one the call is the workspace's own (its identity's team).
 */
export type Method = (workspace: Workspace, args: Json, team?: SlackTeam) => Json;
