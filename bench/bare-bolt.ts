// The baseline: a bare Bolt app with one slash command that only acks, run like Leadline.
import type { AddressInfo } from "node:net";
import { App, HTTPReceiver, LogLevel } from "@slack/bolt";
import { answerMemory } from "./memory.js";

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
// Port 0 (the harness's default): the system picks a free port, reported to the harness over IPC.
const server = await app.start({ port: Number(process.env.PORT ?? 0), host: "127.0.0.1" });
process.send?.({ ready: true, port: (server.address() as AddressInfo).port });
answerMemory();
process.on("message", (message: { cost?: boolean }) => {
  if (!message.cost) return;
  const cpu = process.cpuUsage();
  process.send?.({
    cost: { cpuUs: cpu.user + cpu.system, queries: 0, heapMb: process.memoryUsage().heapUsed / 2 ** 20 },
  });
});
