import { readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../src/lib/paths.js";
import type { Workspace } from "./slack/workspace.js";

/** The sandbox's one channel, #leads. */
export const SANDBOX_CHANNEL = "C0SANDBOX01";

/** The console's first messages (a new channel only: a restart keeps the channel as it was). */
export function welcome(workspace: Workspace, note: string | undefined): void {
  workspace.post({
    channel: SANDBOX_CHANNEL,
    user: "USLACKBOT",
    text:
      "Welcome to the Leadline sandbox. Try `/call-lead Jane` and click *Call*, `/lead add` to add a lead, or " +
      "`/twilio-setup` as Maria (an admin). The demo leads' numbers pick what happens on the call: see the panel on the right. " +
      "*Call* is a live call: the agent's phone rings first, then Leadline dials the lead. *Message call* and *Voice bridge* play a " +
      "recorded voice, so they appear only for leads who consented to that (all demo leads but Bob and Nora). " +
      "Leads call back too: *Lead calls back* under a call's line, or the number box on the right, rings the agent's phone " +
      "(or sends the caller to voicemail). With recording on (`/twilio-setup`), a call's transcript and its summary " +
      "land in its thread after the call. The *Home* tab above the channel is Leadline's App Home: your calls, " +
      "scheduled calls and leads waiting for a callback.",
  });
  if (note) {
    workspace.post({
      channel: SANDBOX_CHANNEL,
      user: "USLACKBOT",
      text: `:clock3: Calling hours are checked against the *calling clock* on the right. ${note}`,
    });
  }
}

/** The commands whose manifest entry says should_escape: true: Slack turns their `@name` into a mention. */
export function escapedCommands(): string[] {
  const manifest = readFileSync(join(projectRoot(), "manifest.yml"), "utf8");
  return manifest
    .split(/\n\s*- command: /)
    .slice(1)
    .filter((entry) => /\n\s*should_escape: true/.test(entry.split(/\n\s*- command: /)[0] ?? ""))
    .map((entry) => entry.split(/\s/)[0] ?? "");
}
