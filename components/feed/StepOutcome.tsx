/**
 * How a step of the feed ended (a tool call, the environment step), or that it is still going:
 * the mark, the exit code when a process failed with one, and the step's own details after.
 * `marker` names the data attribute tests and scripts find the outcome by.
 */
export function StepOutcome({
  done,
  labels,
  marker,
  children,
}: {
  done: { ok: boolean; exitCode?: number | null } | undefined;
  labels: { ok: string; failed: string };
  marker: "data-tool-outcome" | "data-environment-outcome" | "data-check-outcome";
  children?: React.ReactNode;
}) {
  if (!done) {
    return (
      <span className="inline-flex items-center gap-1.5 text-xs text-sky-300">
        <span className="h-2 w-2 animate-pulse rounded-full bg-sky-400" /> running
      </span>
    );
  }
  return (
    <span className="flex flex-wrap items-center gap-x-2 gap-y-1 text-xs">
      <span className={done.ok ? "font-medium text-emerald-400" : "font-medium text-red-400"} {...{ [marker]: done.ok ? "ok" : "error" }}>
        {done.ok ? `✓ ${labels.ok}` : `✗ ${labels.failed}`}
      </span>
      {done.exitCode !== undefined && done.exitCode !== null && <span className="font-mono text-zinc-400">exit {done.exitCode}</span>}
      {children}
    </span>
  );
}
