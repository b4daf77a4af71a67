import type { Logger } from "../lib/log.js";
import type { UploadedImport } from "../services/leads/uploaded-import.js";
import type { SlackMessenger } from "../services/slack/messenger.js";
import { leadImportFailedMessage, leadImportReportMessage } from "../views/lead-import.js";

/**
 * The report of a `/lead import` goes to the admin who asked, in their direct message with the bot:
 * it names leads and rows of the file, which the channel has no need to see.
 */
export async function sendLeadImportReport(
  slack: Pick<SlackMessenger, "directChannel" | "postToChannel">,
  userId: string,
  outcome: UploadedImport,
  log: Logger,
): Promise<void> {
  const message = outcome.ok
    ? leadImportReportMessage(outcome.fileName, outcome.report)
    : leadImportFailedMessage(outcome.fileName, outcome.error);
  try {
    await slack.postToChannel({ channel: await slack.directChannel(userId) }, message);
  } catch (error) {
    log.error({ err: error }, "could not send the lead import report");
  }
}
