// Issue 28: the CRM outbox's throughput against the Follow Up Boss simulator, as a measure of npm run
// bench: bench/crm-outbox.ts forked per engine (its Leadline instance, the simulator and the database
// it makes are its own), its numbers reported with their goals.
import { fork } from "node:child_process";
import type { Outcome } from "./crm-outbox.js";
import { type Engine, PG_URL } from "./database.js";
import { PROFILE_DIR } from "./harness.js";

export type CrmOutboxResult = { open: Outcome; limited: Outcome };

export async function benchCrmOutbox(engine: Engine): Promise<CrmOutboxResult> {
  const child = fork("bench/crm-outbox.ts", [], {
    env: {
      ...process.env,
      LEADLINE_TEST_ENGINE: engine,
      ...(engine === "postgresql" ? { TEST_DATABASE_URL: PG_URL } : {}),
    },
    execArgv: ["--import", "tsx", ...(PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}`] : [])],
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    let result: CrmOutboxResult | undefined;
    child.once("message", (message) => {
      result = message as CrmOutboxResult;
    });
    child.once("exit", (code) =>
      result ? resolve(result) : reject(new Error(`bench/crm-outbox.ts exited with ${code} before its numbers`)),
    );
  });
}
