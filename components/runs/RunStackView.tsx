import Link from "next/link";
import { dependencyState } from "@/lib/contracts/runDependencies";
import { parentAllowsPush } from "@/lib/contracts/runStack";
import type { RunLineage } from "@/lib/services/runLineage";
import { cx } from "../ui/cx";
import { linkClass, noticeClass } from "../ui/styles";
import { StatusBadge } from "./StatusBadge";
import type { RunRecord } from "./runTypes";

const short = (id: string) => id.slice(0, 8);

function RunName({ runId, title }: { runId: string; title: string | null }) {
  if (title === null) return <span className="font-mono text-zinc-500">a run you cannot see ({short(runId)})</span>;
  return (
    <Link href={`/runs/${runId}`} className={cx(linkClass, "break-words")}>
      {title}
    </Link>
  );
}

/**
 * A stacked run's chain of branches, root first, down to this run and the runs continuing it
 * ("Stacked on", "Continued by"), pushed in that order; and the runs it waits (or waited) for.
 */
export function RunStackView({ run, lineage }: { run: Pick<RunRecord, "id" | "title" | "status" | "branch">; lineage: RunLineage }) {
  const { stack, dependsOn } = lineage;
  const children = lineage.derived.filter((d) => d.kind === "stack");
  const parent = stack?.chain.at(-1) ?? null;
  const pending = dependsOn.filter((d) => d.status === null || dependencyState(d.status) === "pending");
  if (!stack && children.length === 0 && dependsOn.length === 0) return null;
  return (
    <div className="space-y-3" data-testid="run-stack">
      {run.status === "waiting_dependencies" && pending.length > 0 && (
        <p className={noticeClass("info")} data-testid="run-waiting-for">
          This run starts once{" "}
          {pending.map((d, i) => (
            <span key={d.runId}>
              {i > 0 && (i === pending.length - 1 ? " and " : ", ")}
              <RunName runId={d.runId} title={d.title} />
            </span>
          ))}{" "}
          {pending.length === 1 ? "has" : "have"} finished {pending.length === 1 ? "its" : "their"} work.
        </p>
      )}
      {stack?.parentChangedSince && parent && (
        <p className={noticeClass("warning")} data-testid="run-parent-changed">
          The branch this run continues has new commits since it started (
          <RunName runId={parent.runId} title={parent.title} /> went through another round): this run does not include them.
        </p>
      )}
      {(stack || children.length > 0) && (
        <div>
          <h3 className="text-xs font-medium text-zinc-500">Stack of branches (pushed in this order)</h3>
          <ol className="mt-1 space-y-1.5 text-sm" data-testid="run-stack-chain">
            {stack?.chain.map((r, i) => (
              <li key={r.runId} className="flex flex-wrap items-center gap-2">
                <span className="w-5 text-right text-xs text-zinc-500">{i + 1}.</span>
                <RunName runId={r.runId} title={r.title} />
                {r.status && <StatusBadge status={r.status} />}
                {r.branch && <span className="min-w-0 font-mono text-xs break-all text-zinc-500">{r.branch}</span>}
              </li>
            ))}
            <li className="flex flex-wrap items-center gap-2" aria-current="true">
              <span className="w-5 text-right text-xs text-zinc-500">{(stack?.chain.length ?? 0) + 1}.</span>
              <span className="font-medium text-zinc-100">This run</span>
              <StatusBadge status={run.status} />
              <span className="min-w-0 font-mono text-xs break-all text-zinc-500">{run.branch}</span>
            </li>
            {children.map((c) => (
              <li key={c.runId} className="flex flex-wrap items-center gap-2 pl-7" data-testid="run-stack-child">
                <span className="text-xs text-zinc-500">Continued by</span>
                <RunName runId={c.runId} title={c.title} />
                <StatusBadge status={c.status} />
              </li>
            ))}
          </ol>
          {parent?.status && !parentAllowsPush(parent.status) && (
            <p className="mt-1.5 text-xs text-zinc-500" data-testid="run-push-order">
              Push <RunName runId={parent.runId} title={parent.title} /> first: this run&apos;s pull request targets its branch.
            </p>
          )}
        </div>
      )}
      {dependsOn.length > 0 && (
        <div>
          <h3 className="text-xs font-medium text-zinc-500">Waits for</h3>
          <ul className="mt-1 space-y-1.5 text-sm" data-testid="run-depends-on">
            {dependsOn.map((d) => (
              <li key={d.runId} className="flex flex-wrap items-center gap-2">
                <RunName runId={d.runId} title={d.title} />
                {d.status && <StatusBadge status={d.status} />}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
