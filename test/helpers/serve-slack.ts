// Starts the simulated Slack Web API on 127.0.0.1 and prints its API URL; stays up until killed.
// Used by .ci/production-check.sh to start a production install against a Slack it can reach.
import { startFakeSlack } from "./fake-slack.js";

const slack = await startFakeSlack();
console.log(slack.apiUrl);
for (const signal of ["SIGTERM", "SIGINT"] as const)
  process.once(signal, () => void slack.close().then(() => process.exit(0)));
