import Link from "next/link";
import type { RunStatus } from "@/lib/contracts/runLifecycle";
import type { RunWorkspaceView, WorkerWorkspacesView } from "@/lib/services/workspaces";
import { countOf } from "@/lib/plural";
import { formatBytes, shortSha } from "../format";
import type { FormAction } from "../forms/useFormAction";
import { StatusBadge } from "../runs/StatusBadge";
import { Time } from "../ui/Time";
import { cx } from "../ui/cx";
import { linkClass } from "../ui/styles";
import { DeleteWorkspaceButton } from "./DeleteWorkspaceButton";

const runColumns = "sm:grid sm:grid-cols-[minmax(0,1fr)_minmax(0,12rem)_6rem_6rem_6rem_5rem] sm:items-center sm:gap-3";

const stateText: Record<RunWorkspaceView["state"], { label: string; hint: string; tone: string }> = {
  active: { label: "active", hint: "Running, being pushed or discarded on this job process: it cannot be deleted now", tone: "bg-emerald-950/70 text-emerald-300" },
  suspended: { label: "suspended", hint: "Waiting for a person; the run resumes from this workspace, so it is kept", tone: "bg-sky-950/70 text-sky-300" },
  "left-over": { label: "left over", hint: "No job here uses it. Deleting it frees the disk; the run's branch stays in Redis until the run ends, so push still works", tone: "bg-zinc-800 text-zinc-300" },
};

function Size({ bytes, partial }: { bytes: number; partial: boolean }) {
  return (
    <span className="text-zinc-200 sm:text-right" title={partial ? "The measurement stopped at its time limit: at least this much" : undefined}>
      {partial && "≥ "}
      {formatBytes(bytes)}
    </span>
  );
}

function RunRow({ worker, w, remove }: { worker: string; w: RunWorkspaceView; remove: FormAction<null> }) {
  const state = stateText[w.state];
  return (
    <li data-workspace-run={w.runId} className={`${runColumns} flex flex-col gap-1 px-4 py-2.5 text-xs sm:px-5`}>
      <span className="flex min-w-0 flex-wrap items-center gap-2">
        <Link href={`/runs/${w.runId}`} className={cx(linkClass, "truncate")} title={w.runId}>
          {w.run?.title ?? w.runId}
        </Link>
        {w.run ? <StatusBadge status={w.run.status as RunStatus} /> : <span className="text-zinc-500">no such run</span>}
        <span className={cx("rounded px-1.5 py-0.5 text-[0.7rem]", state.tone)} title={state.hint} data-workspace-state={w.state}>
          {state.label}
        </span>
      </span>
      <span className="min-w-0 truncate font-mono text-zinc-400" title={w.branch ?? undefined}>
        {w.branch ?? "no repository"}
        <span className="text-zinc-500"> · {w.runId.slice(0, 8)}</span>
      </span>
      <Size bytes={w.bytes} partial={w.partial} />
      <span className="text-zinc-400">
        <span className="text-zinc-500 sm:hidden">made </span>
        <Time iso={w.createdAt} />
      </span>
      <span className="text-zinc-400">
        <span className="text-zinc-500 sm:hidden">changed </span>
        <Time iso={w.lastUsedAt} />
      </span>
      <span className="sm:justify-self-end">
        {w.state === "left-over" ? (
          <DeleteWorkspaceButton worker={worker} id={w.id} label={`the workspace of run ${w.run?.title ?? w.runId}`} action={remove} />
        ) : (
          <span className="text-zinc-500" title={state.hint}>
            kept
          </span>
        )}
      </span>
    </li>
  );
}

function SmallTable({ title, empty, children, count }: { title: string; empty: string; children: React.ReactNode; count: number }) {
  return (
    <div className="border-t border-zinc-800">
      <h4 className="px-4 pt-3 text-xs font-medium tracking-wide text-zinc-500 uppercase sm:px-5">{title}</h4>
      {count === 0 ? <p className="px-4 pt-1 pb-3 text-xs text-zinc-500 sm:px-5">{empty}</p> : <ul className="divide-y divide-zinc-800">{children}</ul>}
    </div>
  );
}

/** One job process: who it is and whether it is live, its run workspaces (deletable when left over), pool entries and mirrors. */
export function WorkerWorkspaces({ worker, remove }: { worker: WorkerWorkspacesView; remove: FormAction<null> }) {
  const share = worker.maxBytes > 0 ? Math.min(1, worker.runBytes / worker.maxBytes) : 0;
  return (
    <section className="overflow-hidden rounded-lg border border-zinc-800" data-workspace-worker={worker.worker}>
      <header className="flex flex-wrap items-start justify-between gap-3 border-b border-zinc-800 bg-zinc-900 px-4 py-3 sm:px-5">
        <div className="min-w-0">
          <h3 className="flex flex-wrap items-center gap-2 font-mono text-sm break-all text-zinc-100">
            {worker.worker}
            <span
              data-worker-online={worker.online}
              className={cx("rounded px-1.5 py-0.5 font-sans text-[0.7rem]", worker.online ? "bg-emerald-950/70 text-emerald-300" : "bg-amber-950/70 text-amber-300")}
            >
              {worker.online ? "online" : "not taking jobs"}
            </span>
          </h3>
          <p className="text-xs text-zinc-500">
            host {worker.host} · reported <Time iso={worker.reportedAt} />
          </p>
        </div>
        {worker.maxBytes > 0 && (
          <div className="w-full max-w-xs space-y-1">
            <p className="text-xs text-zinc-300" data-testid="workspace-usage">
              {formatBytes(worker.runBytes)} of {formatBytes(worker.maxBytes)}
              <span className="text-zinc-500"> · left-over ones kept up to {worker.maxAgeHours} hours</span>
            </p>
            <div className="h-1.5 overflow-hidden rounded-full bg-zinc-800" role="meter" aria-valuemin={0} aria-valuemax={worker.maxBytes} aria-valuenow={worker.runBytes} aria-label={`Run workspace use of ${worker.worker}`}>
              <div className={share > 0.9 ? "h-full bg-amber-400" : "h-full bg-indigo-500"} style={{ width: `${(share * 100).toFixed(1)}%` }} />
            </div>
          </div>
        )}
      </header>
      <h4 className="px-4 pt-3 text-xs font-medium tracking-wide text-zinc-500 uppercase sm:px-5">Run workspaces</h4>
      {worker.runs.length === 0 ? (
        <p className="px-4 pt-1 pb-3 text-xs text-zinc-500 sm:px-5" data-testid="no-run-workspaces">
          No run workspace on this job process.
        </p>
      ) : (
        <>
          <div className={`${runColumns} hidden px-5 py-2 text-xs font-medium text-zinc-500`}>
            <span>Run</span>
            <span>Branch</span>
            <span className="text-right">Disk</span>
            <span>Made</span>
            <span>Changed</span>
            <span />
          </div>
          <ul className="divide-y divide-zinc-800" data-testid="run-workspaces">
            {worker.runs.map((w) => (
              <RunRow key={w.id} worker={worker.worker} w={w} remove={remove} />
            ))}
          </ul>
        </>
      )}
      <SmallTable title="Prepared checkouts (workspace pool)" empty="None: the pool is off or being refilled." count={worker.pool.length}>
        {worker.pool.map((p) => (
          <li key={p.id} data-workspace-pool={p.id} className="flex flex-wrap items-center justify-between gap-2 px-4 py-2 text-xs sm:px-5">
            <span className="min-w-0 truncate font-mono text-zinc-300">
              {p.pool} <span className="text-zinc-500">at {shortSha(p.sha)}</span>
            </span>
            <span className="flex items-center gap-3 text-zinc-400">
              <Size bytes={p.bytes} partial={p.partial} />
              <Time iso={p.createdAt} />
              <DeleteWorkspaceButton worker={worker.worker} id={p.id} label={`the prepared checkout of ${p.pool}`} action={remove} />
            </span>
          </li>
        ))}
      </SmallTable>
      <SmallTable title="Mirrors" empty="None yet: a repository's mirror is made by its first run here." count={worker.mirrors.length}>
        {worker.mirrors.map((m) => (
          <li key={m.name} className="flex flex-wrap items-center justify-between gap-2 px-4 py-2 text-xs sm:px-5" data-workspace-mirror={m.name}>
            <span className="min-w-0 truncate font-mono text-zinc-300">{m.name}</span>
            <span className="flex items-center gap-3 text-zinc-400">
              <Size bytes={m.bytes} partial={m.partial} />
              <span>{m.usedByRuns > 0 ? `borrowed by ${countOf(m.usedByRuns, "run")}` : "no run borrows it"}</span>
              <span>
                fetched <Time iso={m.lastUsedAt} />
              </span>
            </span>
          </li>
        ))}
      </SmallTable>
      <div className="pb-1" />
    </section>
  );
}
