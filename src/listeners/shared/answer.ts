import type { AckFn, RespondFn, SlashCommand } from "@slack/bolt";
import type { KnownBlock } from "@slack/types";
import { isExpected } from "../../lib/errors.js";
import { errorMessage } from "../../views/errors.js";
import type { ListenerBase } from "./base.js";

export type CommandAnswer = { text: string; blocks?: KnownBlock[] };

/** Slack waits 3 s for a command's answer; past this Leadline says it is working on it and answers after. */
const ANSWER_WITHIN_MS = 2_300;

/**
 * Answers a slash command with what `produce` makes, in the ack when it is quick. When it is slow
 * (a busy database, a slow Slack), the ack says so in time and the answer replaces it once ready;
 * an error becomes the words for it, never silence.
 */
export async function answerCommand(
  deps: Pick<ListenerBase, "log" | "clock">,
  { ack, respond, command }: { ack: AckFn<string | object>; respond: RespondFn; command: SlashCommand },
  produce: () => Promise<CommandAnswer>,
): Promise<void> {
  const failed = (error: unknown): CommandAnswer => {
    if (!isExpected(error)) deps.log.error({ err: error, command: command.command }, "a command failed");
    return errorMessage(error, { now: deps.clock.now() });
  };
  const answer = produce().catch(failed);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), ANSWER_WITHIN_MS);
  });
  const first = await Promise.race([answer, late]);
  clearTimeout(timer);
  if (first !== "late") {
    await ack({ response_type: "ephemeral", ...first });
    return;
  }
  deps.log.warn({ command: command.command }, "a command is slow; answering after the ack");
  await ack({
    response_type: "ephemeral",
    text: ":hourglass_flowing_sand: Working on it… Leadline is slow to answer right now.",
  });
  await respond({ response_type: "ephemeral", replace_original: true, ...(await answer) });
}
