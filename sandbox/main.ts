import { createLogger } from "../src/lib/log.js";
import { startSandbox } from "./sandbox.js";

// `npm run sandbox`: Leadline with a simulated Slack and Twilio, for trying it and for development.
async function main() {
  const port = Number(process.env.SANDBOX_PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error("SANDBOX_PORT must be a port number such as 3000.");
    process.exit(78);
  }
  const log = createLogger(process.env.LOG_LEVEL ?? "warn");
  const sandbox = await startSandbox({ log, port });
  const clock = sandbox.clock.view();
  console.log(
    [
      "",
      "Leadline sandbox is running: no Slack or Twilio account needed.",
      `  Open ${sandbox.consoleUrl}/sandbox`,
      "  Type /call-lead Jane, /lead add or /twilio-setup there. Ctrl+C stops it.",
      `  (Leadline itself listens on ${sandbox.appUrl}; data is kept in data/sandbox.db.)`,
      clock.mode === "real"
        ? "  Calling hours are checked at real time; the console's calling clock can pretend another time."
        : `  Calling clock: pretending it is ${clock.label}. ${clock.note ?? ""}`,
      "",
    ].join("\n"),
  );
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      sandbox.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}

main().catch((error: unknown) => {
  const code = (error as { code?: string }).code;
  if (code === "EADDRINUSE") {
    console.error("The sandbox's port is in use. Stop what uses it, or run with SANDBOX_PORT=3100 npm run sandbox.");
  } else {
    console.error("The sandbox failed to start:", error instanceof Error ? error.message : error);
  }
  process.exit(1);
});
