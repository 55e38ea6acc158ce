import path from "node:path";
import { defineConfig } from "vitest/config";

// Browser tests: one AgentDesk (next start + job process) for the whole run, started by the
// global setup; files run one after another in a single fork, with generous timeouts.
export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname, "..") } },
  test: {
    include: ["e2e/**/*.e2e.test.ts"],
    reporters: ["default", [path.resolve(import.meta.dirname, "../tests/support/summaryReporter.ts"), { suite: "browser" }]],
    globalSetup: ["e2e/globalSetup.ts"],
    pool: "forks",
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 600_000,
  },
});
