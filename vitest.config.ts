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
    // Most of the suite waits on real processes (git, bubblewrap, job processes), so two files
    // at a time pay off even on two cores, where vitest's default is one. On an idle two-core
    // machine (2026-11-30) the whole suite took 994 s one at a time; two at a time, with the
    // PGlite template below, 517 s. An earlier try measured no gain only because other work was
    // loading the machine then.
    maxWorkers: Math.max(2, os.availableParallelism() - 1),
    // One password-protected Redis for every project; setup.ts hands its URL to each file.
    // Also one migrated PGlite folder that each db:pglite file copies (pgliteTemplateGlobalSetup.ts).
    globalSetup: ["tests/support/redisGlobalSetup.ts", "tests/support/pgliteTemplateGlobalSetup.ts"],
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
