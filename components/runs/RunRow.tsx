import Link from "next/link";
import { formatDuration, runDuration } from "../format";
import { Time } from "../ui/Time";
import type { RunListRecord, RunRecord } from "./runTypes";
import { StatusBadge } from "./StatusBadge";
import { UsageSummary } from "./UsageSummary";

/** Column layout shared by the list header and its rows (a stacked card on phones). */
export const runGrid = "sm:grid sm:grid-cols-[9.5rem_minmax(0,1fr)_6.5rem_8.5rem_minmax(0,10rem)] sm:items-center sm:gap-4";

/** One run in the list; with `showOwner` (a viewer who sees others' runs) also whose it is. */
export function RunRow({ run, now, showOwner }: { run: RunListRecord; now: number; showOwner: boolean }) {
  const duration = runDuration(run, now);
  return (
    <li data-run-id={run.id} className="group relative border-b border-zinc-800/80 last:border-0 hover:bg-zinc-900/70">
      <div className={`${runGrid} flex flex-col gap-2 px-4 py-3.5 sm:px-5`}>
        <div className="flex items-center justify-between sm:block">
          <StatusBadge status={run.status} />
          <Time iso={run.createdAt} className="text-xs text-zinc-500 sm:hidden" />
        </div>
        <div className="min-w-0">
          <Link href={`/runs/${run.id}`} className="block truncate text-sm font-medium text-zinc-100 after:absolute after:inset-0">
            {run.title}
          </Link>
          <p className="mt-0.5 truncate text-xs text-zinc-500">
            <span className="text-zinc-400">{run.repo}</span> · <span className="font-mono">{run.branch}</span>
          </p>
          {showOwner && (
            <p className="mt-0.5 truncate text-xs text-zinc-500" data-testid="run-owner" title={run.owner.email}>
              by <span className="text-zinc-300">{run.owner.name || run.owner.email}</span>
              {run.owner.name && <span className="hidden sm:inline"> · {run.owner.email}</span>}
            </p>
          )}
        </div>
        <Time iso={run.createdAt} className="hidden text-sm text-zinc-400 sm:block" />
        <RunTime run={run} duration={duration} />
        <div className="min-w-0 sm:text-right">
          <UsageSummary usage={run} />
        </div>
      </div>
    </li>
  );
}

/**
 * How long the run has worked, over every round: "Running for …" while a round is under way,
 * the total once it ended or waits, with the number of rounds when it was sent back.
 */
function RunTime({ run, duration }: { run: RunRecord; duration: number | null }) {
  if (duration === null) return <span className="text-xs text-zinc-600 sm:text-sm">not started</span>;
  const working = run.roundStartedAt !== null && run.finishedAt === null;
  return (
    <span className="text-xs text-zinc-400 sm:text-sm" suppressHydrationWarning data-testid="run-duration">
      {working ? `Running for ${formatDuration(duration)}` : formatDuration(duration)}
      {run.round > 1 && <span className="block text-xs text-zinc-500">over {run.round} rounds</span>}
    </span>
  );
}
