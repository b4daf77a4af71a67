import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests start real servers and mostly wait on them, PostgreSQL and child processes: on
    // two cores a whole run kept one core busy on average with two files at once, so three run at once.
    maxWorkers: 3,
    pool: "forks",
  },
});
