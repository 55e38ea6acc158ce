import type { EnvironmentCachesView, WorkerCachesView } from "@/lib/services/environmentCaches";
import { countOf } from "@/lib/plural";
import { formatBytes, shortSha } from "../format";
import type { FormAction } from "../forms/useFormAction";
import { Time } from "../ui/Time";
import { ClearCachesButton } from "./ClearCachesButton";

const columns = "sm:grid sm:grid-cols-[minmax(0,1fr)_7rem_6rem_5rem_5rem_6rem_6rem_4.5rem] sm:items-center sm:gap-3";

function Usage({ worker }: { worker: WorkerCachesView }) {
  const share = worker.maxBytes > 0 ? Math.min(1, worker.totalBytes / worker.maxBytes) : 0;
  return (
    <div className="w-full max-w-xs space-y-1">
      <p className="text-xs text-zinc-300" data-testid="cache-usage">
        {formatBytes(worker.totalBytes)} of {formatBytes(worker.maxBytes)}
        <span className="text-zinc-500"> · {countOf(worker.totalFiles, "file")} · kept up to {worker.maxAgeDays} days</span>
      </p>
      <div className="h-1.5 overflow-hidden rounded-full bg-zinc-800" role="meter" aria-valuemin={0} aria-valuemax={worker.maxBytes} aria-valuenow={worker.totalBytes} aria-label={`Cache use of ${worker.worker}`}>
        <div className={share > 0.9 ? "h-full bg-amber-400" : "h-full bg-indigo-500"} style={{ width: `${(share * 100).toFixed(1)}%` }} />
      </div>
    </div>
  );
}

function WorkerCaches({ worker, clear }: { worker: WorkerCachesView; clear: FormAction<null> }) {
  return (
    <section className="overflow-hidden rounded-lg border border-zinc-800" data-cache-worker={worker.worker}>
      <header className="flex flex-wrap items-start justify-between gap-3 border-b border-zinc-800 bg-zinc-900 px-4 py-3 sm:px-5">
        <div className="min-w-0">
          <h3 className="font-mono text-sm text-zinc-100">{worker.worker}</h3>
          <p className="text-xs text-zinc-500">
            reported <Time iso={worker.reportedAt} />
          </p>
        </div>
        <Usage worker={worker} />
      </header>
      {worker.entries.length === 0 ? (
        <p className="px-4 py-3 text-xs text-zinc-500 sm:px-5">No cached environment on this job process.</p>
      ) : (
        <>
          <div className={`${columns} hidden border-b border-zinc-800 px-5 py-2 text-xs font-medium tracking-wide text-zinc-500 uppercase`}>
            <span>Repository</span>
            <span>Key</span>
            <span>Base commit</span>
            <span className="text-right">Size</span>
            <span className="text-right">Files</span>
            <span>Created</span>
            <span>Last used</span>
            <span />
          </div>
          <ul className="divide-y divide-zinc-800" data-testid="environment-cache-entries">
            {worker.entries.map((e) => (
              <li key={`${e.repo}/${e.key}`} data-cache-repo={e.repo} data-cache-key={e.key} className={`${columns} flex flex-col gap-1 px-4 py-2.5 text-xs sm:px-5`}>
                <span className="min-w-0 truncate font-medium text-zinc-100">
                  {e.repo}
                  {e.clearing && (
                    <span data-clearing className="ml-2 rounded bg-amber-950/70 px-1.5 py-0.5 text-[0.7rem] font-normal text-amber-300" title="A clear request covers it: the job process removes it at its next look">
                      clearing
                    </span>
                  )}
                </span>
                <span className="font-mono text-zinc-400" title={e.key}>
                  <span className="text-zinc-500 sm:hidden">key </span>
                  {e.key.slice(0, 12)}
                </span>
                <span className="font-mono text-zinc-400" title={e.baseSha}>
                  <span className="text-zinc-500 sm:hidden">base </span>
                  {shortSha(e.baseSha)}
                </span>
                <span className="text-zinc-200 sm:text-right">{formatBytes(e.bytes)}</span>
                <span className="text-zinc-400 sm:text-right">{e.files.toLocaleString("en")}<span className="sm:hidden"> files</span></span>
                <span className="text-zinc-400">
                  <span className="text-zinc-500 sm:hidden">created </span>
                  <Time iso={e.createdAt} />
                </span>
                <span className="text-zinc-400">
                  <span className="text-zinc-500 sm:hidden">last used </span>
                  <Time iso={e.lastUsedAt} />
                </span>
                <span className="sm:justify-self-end">
                  <ClearCachesButton repo={e.repo} action={clear} />
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/** Every job process's cached environments, with its use against its limit, and the recent clear requests. */
export function EnvironmentCaches({ caches, clear }: { caches: EnvironmentCachesView; clear: FormAction<null> }) {
  return (
    <div className="space-y-4" data-testid="environment-caches">
      {caches.workers.length === 0 ? (
        <p data-testid="no-environment-caches" className="text-sm text-zinc-400">
          No job process reports a cached environment. A repository gets one with its first run after an admin sets up its environment.
        </p>
      ) : (
        caches.workers.map((w) => <WorkerCaches key={w.worker} worker={w} clear={clear} />)
      )}
      {caches.recentClears.length > 0 && (
        <div className="text-xs text-zinc-500" data-testid="recent-clears">
          <p className="font-medium text-zinc-400">Recent clear requests (job processes apply them within seconds):</p>
          <ul className="mt-1 space-y-0.5">
            {caches.recentClears.map((c) => (
              <li key={`${c.at}-${c.repo ?? "*"}`}>
                {c.repo ? <span className="text-zinc-300">{c.repo}</span> : "every repository"}, <Time iso={c.at} />
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
