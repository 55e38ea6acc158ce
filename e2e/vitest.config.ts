import path from "node:path";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

// run.e2e.test.ts signs up the stack's first user (who becomes admin), so it goes first; the
// other files follow by name, each with users of its own.
class FirstUserFirst extends BaseSequencer {
  async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => (f.moduleId.endsWith("/run.e2e.test.ts") ? 0 : 1);
    return [...files].sort((a, b) => rank(a) - rank(b) || a.moduleId.localeCompare(b.moduleId));
  }
}

// Browser tests: one AgentDesk (next start + job process) for the whole run, started by the
// global setup; files run one after another in a single fork, with generous timeouts.
export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname, "..") } },
  test: {
    include: ["e2e/**/*.e2e.test.ts"],
    reporters: ["default", [path.resolve(import.meta.dirname, "../tests/support/summaryReporter.ts"), { suite: "browser" }]],
    // First a password-protected Redis (tests/support/redisGlobalSetup.ts), then the stack on it.
    globalSetup: ["tests/support/redisGlobalSetup.ts", "e2e/globalSetup.ts"],
    pool: "forks",
    maxWorkers: 1,
    fileParallelism: false,
    sequence: { sequencer: FirstUserFirst },
    testTimeout: 120_000,
    hookTimeout: 600_000,
  },
});
