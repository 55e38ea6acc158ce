import type { RunCheck } from "@/lib/contracts/runChecks";
import { stepDuration } from "../feed/EnvironmentStep";

const statusLook = {
  passed: { label: "✓ passed", className: "text-emerald-400" },
  failed: { label: "✗ failed", className: "text-red-400" },
  running: { label: "did not finish", className: "text-amber-300" },
} as const;

/** "tests" or "tests and lint" or "tests, lint and types". */
export function checkNames(checks: readonly RunCheck[]): string {
  const names = checks.map((c) => `“${c.name}”`);
  return names.length <= 1 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/**
 * The post-run checks of the commit under review: each with how it ended, its exit code and
 * time, and its output's end to unfold (the whole output is in the run's feed). A failed
 * check opens by itself.
 */
export function ReviewChecks({ checks }: { checks: readonly RunCheck[] }) {
  if (checks.length === 0) return null;
  const failed = checks.filter((c) => c.status !== "passed");
  return (
    <section data-testid="review-checks" aria-labelledby="review-checks-title" className="space-y-3 rounded-xl border border-zinc-800 bg-zinc-900/60 p-4 sm:p-5">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="review-checks-title" className="text-sm font-semibold text-zinc-100">
          Checks on these changes
        </h2>
        <p className={failed.length > 0 ? "text-sm font-medium text-red-300" : "text-sm text-emerald-300"}>
          {failed.length > 0 ? `${failed.length} of ${checks.length} failed` : `all ${checks.length} passed`}
        </p>
      </div>
      <ul className="space-y-2">
        {checks.map((check) => {
          const look = statusLook[check.status];
          const bad = check.status !== "passed";
          return (
            <li key={check.checkId} data-review-check={check.name} data-check-status={check.status}>
              <details open={bad} className={bad ? "rounded-lg border border-red-900/70 bg-red-950/30" : "rounded-lg border border-zinc-800 bg-zinc-950/40"}>
                <summary className="flex min-h-11 cursor-pointer list-none flex-wrap items-center gap-x-3 gap-y-1 px-3 py-2">
                  <span className="font-mono text-sm break-all text-zinc-100">{check.name}</span>
                  <span className={`text-xs font-medium ${look.className}`}>{check.timedOut ? "✗ timed out" : look.label}</span>
                  {check.exitCode !== null && check.exitCode !== 0 && <span className="font-mono text-xs text-zinc-400">exit {check.exitCode}</span>}
                  {check.durationMs !== null && <span className="ml-auto text-xs text-zinc-500">{stepDuration(check.durationMs)}</span>}
                </summary>
                <div className="space-y-2 border-t border-zinc-800/80 px-3 py-2">
                  <pre className="overflow-x-auto font-mono text-xs whitespace-pre-wrap text-zinc-400">$ {check.command}</pre>
                  {check.error && <p className="font-mono text-xs text-red-300">{check.error}</p>}
                  {check.output ? (
                    <pre className="max-h-80 overflow-auto rounded-md bg-black px-3 py-2 font-mono text-xs whitespace-pre-wrap text-zinc-200" data-check-output>
                      {check.truncated ? "…\n" : ""}
                      {check.output}
                    </pre>
                  ) : (
                    <p className="text-xs text-zinc-500">No output.</p>
                  )}
                </div>
              </details>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
