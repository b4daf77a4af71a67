// Starts the simulated Slack (sandbox/slack/simulator.ts) on 127.0.0.1 and prints its Web API URL as
// the first line; stays up until SIGTERM or SIGINT. Used by .ci/production-check.sh to start a
// production install against a Slack it can reach.
import { startSlackSimulator } from "../../sandbox/slack/simulator.js";

const slack = await startSlackSimulator({ workspace: { openWorld: true } });
console.log(slack.apiUrl);
for (const signal of ["SIGTERM", "SIGINT"] as const)
  process.once(signal, () => void slack.close().then(() => process.exit(0)));
