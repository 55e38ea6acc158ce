import os from "node:os";
import path from "node:path";
import { defineConfig } from "vitest/config";

// Tests that touch the database end in `.db.test.ts` and run twice: on embedded PGlite and on
// the local PostgreSQL server. Everything else runs once.
const alias = { "@": path.resolve(import.meta.dirname) };
const common = {
  setupFiles: ["tests/support/setup.ts"],
  testTimeout: 30_000,
  hookTimeout: 60_000,
};

export default defineConfig({
  resolve: { alias },
  test: {
    // Most of the suite waits on real processes (git, bubblewrap, job processes, the browser is
    // separate), so two files at a time pay off even on two cores; vitest's default there is one.
    maxWorkers: Math.max(2, os.availableParallelism() - 1),
    // One password-protected Redis for every project; setup.ts hands its URL to each file.
    globalSetup: ["tests/support/redisGlobalSetup.ts"],
    reporters: ["default", [path.resolve(import.meta.dirname, "tests/support/summaryReporter.ts"), { suite: "integration" }]],
    projects: [
      {
        resolve: { alias },
        test: {
          ...common,
          name: "unit+integration",
          include: ["tests/**/*.test.ts", "lib/**/*.test.ts", "jobs/**/*.test.ts"],
          exclude: ["**/*.db.test.ts", "**/node_modules/**"],
        },
      },
      {
        resolve: { alias },
        test: {
          ...common,
          name: "db:pglite",
          include: ["tests/**/*.db.test.ts"],
          env: { TEST_DB: "pglite" },
        },
      },
      {
        resolve: { alias },
        test: {
          ...common,
          name: "db:postgres",
          include: ["tests/**/*.db.test.ts"],
          env: { TEST_DB: "postgres" },
        },
      },
    ],
  },
});
