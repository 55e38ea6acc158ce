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
