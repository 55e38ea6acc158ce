import Link from "next/link";
import { formatDuration, runDuration } from "../format";
import { Time } from "../ui/Time";
import type { RunRecord } from "./runTypes";
import { StatusBadge } from "./StatusBadge";
import { UsageSummary } from "./UsageSummary";

/** Column layout shared by the list header and its rows (a stacked card on phones). */
export const runGrid = "sm:grid sm:grid-cols-[9.5rem_minmax(0,1fr)_6.5rem_6rem_minmax(0,10rem)] sm:items-center sm:gap-4";

export function RunRow({ run, now }: { run: RunRecord; now: number }) {
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
        </div>
        <Time iso={run.createdAt} className="hidden text-sm text-zinc-400 sm:block" />
        <span className="text-xs text-zinc-400 sm:text-sm" suppressHydrationWarning>
          {duration === null ? <span className="text-zinc-600">not started</span> : formatDuration(duration)}
        </span>
        <div className="min-w-0 sm:text-right">
          <UsageSummary usage={run} />
        </div>
      </div>
    </li>
  );
}
