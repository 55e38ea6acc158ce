import type { Reporter, TestModule } from "vitest/node";

/**
 * Ends a vitest run with one plain line, `<suite>: N passed, N failed, N skipped`, so whoever
 * reads a CI log (person or tool) sees the count without parsing vitest's decorated summary.
 */
export default class SummaryReporter implements Reporter {
  private readonly suite: string;

  constructor(options: { suite?: string } = {}) {
    this.suite = options.suite ?? "vitest";
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>) {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const mod of testModules) {
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failed++;
        else skipped++;
      }
      // A file that failed to load has no tests to count but must not read as green.
      if (mod.state() === "failed" && [...mod.children.allTests()].length === 0) failed++;
    }
    console.log(`\n${this.suite}: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  }
}
