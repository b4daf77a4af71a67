import type { SlackMessenger } from "./messenger.js";

/** When Slack does not say a person's zone (users.info failed): times are read and shown in UTC. */
export const FALLBACK_ZONE = "UTC";

/** A person's IANA time zone as Slack knows it, for reading and showing times. */
export async function zoneOf(slack: Pick<SlackMessenger, "user">, userId: string): Promise<string> {
  try {
    return (await slack.user(userId))?.tz ?? FALLBACK_ZONE;
  } catch {
    return FALLBACK_ZONE;
  }
}

/** A person's name as Slack shows it (display name first), when Slack can tell. */
export async function nameOf(slack: Pick<SlackMessenger, "user">, userId: string): Promise<string | undefined> {
  try {
    return (await slack.user(userId))?.name;
  } catch {
    return undefined;
  }
}
