import type { BlockAction } from "@slack/bolt";
import { ComplianceBlock, isExpected } from "../../lib/errors.js";
import type { SlackMessage } from "../../services/slack/messenger.js";
import { zoneOf } from "../../services/slack/people.js";
import { errorMessage } from "../../views/errors.js";
import type { ListenerBase } from "./base.js";
import { targetOf } from "./targets.js";

/** Tells the person who clicked, ephemerally, where they clicked (response_url, else ephemeral, else DM). */
export async function tellClicker(
  deps: Pick<ListenerBase, "slackFor">,
  ws: number,
  body: BlockAction,
  message: SlackMessage,
): Promise<void> {
  await (await deps.slackFor(ws)).tell(
    body.user.id,
    { channel: targetOf(body).channel, responseUrl: body.response_url },
    message,
  );
}

/** An error told to the clicker in words; a calling-law block also says its times in the clicker's zone. */
export async function tellFailure(
  deps: Pick<ListenerBase, "slackFor" | "log" | "clock">,
  ws: number,
  body: BlockAction,
  error: unknown,
  what: string,
  extra: { canSchedule?: boolean; noun?: string } = {},
): Promise<void> {
  if (!isExpected(error)) deps.log.error({ err: error }, `${what} failed`);
  const agentZone = error instanceof ComplianceBlock ? await zoneOf(await deps.slackFor(ws), body.user.id) : undefined;
  await tellClicker(
    deps,
    ws,
    body,
    errorMessage(error, {
      now: deps.clock.now(),
      lawNow: deps.clock.callingNow(),
      agentZone,
      canSchedule: extra.canSchedule,
      what: extra.noun,
    }),
  );
}

/** A button's work after the ack: runs as a tracked task; any error reaches the clicker in words. */
export function afterAck(
  deps: ListenerBase,
  ws: number,
  body: BlockAction,
  what: string,
  work: () => Promise<void>,
): void {
  deps.tasks.run(async () => {
    try {
      await work();
    } catch (error) {
      await tellFailure(deps, ws, body, error, what);
    }
  });
}
