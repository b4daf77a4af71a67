import "dotenv/config";
import { createLeadline, type Leadline } from "./app.js";
import { ConfigError, loadConfig } from "./config.js";
import { createLogger } from "./lib/log.js";
import { SlackTokenRejected } from "./services/slack/identity.js";
import { EncryptionKeyMissing } from "./services/store/keyring.js";

/** Exit code for "configured wrong" (sysexits EX_CONFIG): a process manager should not restart in a loop. */
const EX_CONFIG = 78;

async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Leadline cannot start.\n${error.message}\nSee README.md, "Environment variables".`);
      process.exit(EX_CONFIG);
    }
    throw error;
  }
  const log = createLogger(config.LOG_LEVEL);
  // A promise nobody awaited must not take the process (and every call in flight) down: log it.
  process.on("unhandledRejection", (reason) => log.error({ err: reason }, "unhandled promise rejection (recovered)"));

  let leadline: Leadline | undefined;
  const stopAndExit = (code: number) => {
    (leadline?.stop() ?? Promise.resolve()).then(
      () => process.exit(code),
      (error) => {
        log.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  try {
    leadline = await createLeadline(config, {
      log,
      onFatal: (error) => {
        console.error(`Leadline stopped: ${error.message}`);
        stopAndExit(EX_CONFIG);
      },
    });
  } catch (error) {
    if (error instanceof EncryptionKeyMissing) {
      console.error(`Leadline cannot start: ${error.message}`);
      process.exit(EX_CONFIG);
    }
    throw error;
  }
  try {
    await leadline.start();
  } catch (error) {
    if (error instanceof SlackTokenRejected) {
      console.error(`Leadline cannot start: ${error.message}`);
      await leadline.stop().catch(() => {});
      process.exit(EX_CONFIG);
    }
    throw error;
  }
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => stopAndExit(0));
}

main().catch((error) => {
  console.error("Leadline failed to start:", error instanceof Error ? error.message : error);
  process.exit(1);
});
