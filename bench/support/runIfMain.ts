import type { BenchResult } from "../stats";

/** Runs one benchmark on its own (`tsx bench/<name>.ts`) when its module is the entry point. */
export function runIfMain(moduleUrl: string, bench: () => Promise<BenchResult>): void {
  if (moduleUrl !== `file://${process.argv[1]}`) return;
  bench().then(
    (r) => {
      console.log(`\n${r.name}\n${r.lines.map((l) => "  " + l).join("\n")}`);
      process.exit(0);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
