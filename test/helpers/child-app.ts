// The real Leadline in a process of its own, for tests that run several instances on one database
// (test/integration/instances.test.ts). Configured like `npm start` (environment variables) but
// without .env; test timings come as JSON in LEADLINE_TEST_OPTIONS (createLeadline's options:
// pollDelaysMs, priceDelaysMs, sweepIntervalMs, twilioTimeoutMs…, and callingTime for calling hours).
// Prints `LEADLINE_PORT=<port>` on stdout once it listens; logs go to stderr. SIGTERM stops it
// gracefully (exit 0), as main.ts does. A line `drain` on stdin is answered with `LEADLINE_DRAINED <n>`
// once its background tasks have finished.
import { createLeadline, type LeadlineOptions } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/lib/log.js";

const config = loadConfig(process.env);
const log = createLogger(config.LOG_LEVEL, process.stderr);
process.on("unhandledRejection", (reason) => log.error({ err: reason }, "unhandled promise rejection (recovered)"));

// Everything JSON can carry passes through as is; `callingTime` (ISO) becomes the calling-hours clock.
// `crashAt` ({ point, nth }) kills the process (SIGKILL, no cleanup) the nth time that crash point is reached.
const { callingTime, crashAt, ...options } = JSON.parse(
  process.env.LEADLINE_TEST_OPTIONS ?? "{}",
) as LeadlineOptions & {
  callingTime?: string;
  crashAt?: { point: string; nth: number };
};
let reached = 0;
const leadline = await createLeadline(config, {
  ...options,
  ...(callingTime ? { callingClock: () => new Date(callingTime) } : {}),
  ...(crashAt
    ? {
        crashPoint: (point: string) => {
          if (point === crashAt.point && ++reached === crashAt.nth) {
            process.stderr.write(`crashing at ${point} #${reached}\n`);
            process.kill(process.pid, "SIGKILL");
          }
        },
      }
    : {}),
  log,
  host: "127.0.0.1",
});
const port = await leadline.start();
process.stdout.write(`LEADLINE_PORT=${port}\n`);

// "drain" on stdin (when the parent gave a pipe): waits for every background task to finish, then prints
// `LEADLINE_DRAINED <tasks still running> polling=<calls the poller holds> prices=<price lookups waiting>`,
// so a test can assert that nothing more happened, and that nothing more is due (timers are not tasks).
let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk: string) => {
  input += chunk;
  for (let end = input.indexOf("\n"); end >= 0; end = input.indexOf("\n")) {
    const line = input.slice(0, end).trim();
    input = input.slice(end + 1);
    if (line === "drain")
      void leadline.deps.tasks
        .drain(10_000)
        .then(() =>
          process.stdout.write(
            `LEADLINE_DRAINED ${leadline.deps.tasks.size} polling=${leadline.deps.poller.active().length} prices=${leadline.deps.prices.pending()}\n`,
          ),
        );
  }
});

process.once("SIGTERM", () => {
  leadline.stop().then(
    () => process.exit(0),
    (error) => {
      log.error({ err: error }, "shutdown failed");
      process.exit(1);
    },
  );
});
