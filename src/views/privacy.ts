/** Words for the workspace's privacy setting: leads' numbers in channel messages. */

export const PRIVACY_USAGE =
  "Usage: `/twilio-setup privacy` to see whether channels see leads' full numbers, `/twilio-setup privacy mask` to show only the last 4 digits in channel messages, `/twilio-setup privacy show` to show full numbers (admins).";

/** What channel messages show now, and how to change it. */
export function privacyStatusMessage(masked: boolean): { text: string } {
  return {
    text: masked
      ? ":lock: Channel messages (call lines, inbound calls, lead cards) show a lead's number as its last 4 digits, e.g. +1 ••• ••• 0182. Cards and answers only you see, History and exports show the full number. `/twilio-setup privacy show` shows full numbers in channels."
      : ":unlock: Channel messages (call lines, inbound calls, lead cards) show leads' full numbers to everyone in the channel. `/twilio-setup privacy mask` shows only the last 4 digits there.",
  };
}

/** After an admin changed it (or asked for what it already was). */
export function privacySavedMessage(masked: boolean, changed: boolean): { text: string } {
  const now = privacyStatusMessage(masked).text;
  return {
    text: changed
      ? `:white_check_mark: Saved. ${now} Messages already posted keep what they showed until they next change.`
      : `Nothing changed. ${now}`,
  };
}
