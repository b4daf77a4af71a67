// The baseline: a bare Bolt app with one slash command that only acks, run like Leadline.
import { App, HTTPReceiver, LogLevel } from "@slack/bolt";

const receiver = new HTTPReceiver({ signingSecret: process.env.SLACK_SIGNING_SECRET!, endpoints: "/slack/events" });
const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  receiver,
  logLevel: LogLevel.ERROR,
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL },
});
app.command("/call-lead", async ({ ack }) => {
  await ack();
});
await app.start(Number(process.env.PORT));
process.send?.({ ready: true });
