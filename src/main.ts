import "dotenv/config";
import { createLeadline } from "./app.js";
import { ConfigError, loadConfig } from "./config.js";

async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Leadline cannot start.\n${error.message}\nSee README.md, "Environment variables".`);
      process.exit(78);
    }
    throw error;
  }
  const leadline = await createLeadline(config);
  await leadline.start();
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      leadline
        .stop()
        .then(() => process.exit(0))
        .catch((error) => {
          console.error("shutdown failed", error);
          process.exit(1);
        });
    });
  }
}

main().catch((error) => {
  console.error("Leadline failed to start:", error instanceof Error ? error.message : error);
  process.exit(1);
});
