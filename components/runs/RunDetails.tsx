import { absoluteTime, formatDuration, runDuration } from "../format";
import { CopyButton } from "../ui/CopyButton";
import { RunDownloads } from "./RunDownloads";
import { RunFollowOns } from "./RunFollowOns";
import { hasRelatedRuns, RunLineageLinks } from "./RunLineageLinks";
import { RunStackView } from "./RunStackView";
import { Time } from "../ui/Time";
import type { RunRecord } from "./runTypes";
import { UsageSummary, hasUsage } from "./UsageSummary";

function Item({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium text-zinc-500">{label}</dt>
      <dd className="mt-0.5 text-sm text-zinc-200">{children}</dd>
    </div>
  );
}

const When = ({ iso }: { iso: string | null }) => (iso ? <Time iso={iso} /> : <span className="text-zinc-600">—</span>);

/**
 * How long the run has worked, over every round: live "Running for" while a round is under
 * way (as the runs list says it), the total once it ended or waits for its review.
 */
function WorkTime({ run, duration, working }: { run: RunRecord; duration: number | null; working: boolean }) {
  return (
    <Item label={working ? "Running for" : "Duration"}>
      <span suppressHydrationWarning data-testid="run-details-duration" title={run.startedAt ? `since ${absoluteTime(run.startedAt)}` : undefined}>
        {duration === null ? <span className="text-zinc-600">not started</span> : formatDuration(duration)}
      </span>
      {run.round > 1 && <span className="block text-xs text-zinc-500">over {run.round} rounds</span>}
    </Item>
  );
}

/** The facts of a run: where it works, how, when, and what it used (`turns`: the model turns so far, from the feed). */
export function RunDetails({ run, now, turns }: { run: RunRecord; now: number; turns: number | null }) {
  const duration = runDuration(run, now);
  const working = run.roundStartedAt !== null && run.finishedAt === null;
  return (
    <dl className="grid grid-cols-2 gap-x-6 gap-y-4 sm:grid-cols-4">
      <Item label="Repository">{run.repo}</Item>
      <div className="col-span-2 min-w-0 sm:col-span-3">
        <dt className="text-xs font-medium text-zinc-500">Branch</dt>
        <dd className="mt-0.5 flex flex-wrap items-center gap-2 text-sm">
          <span className="font-mono text-zinc-400">{run.baseBranch}</span>
          <span className="text-zinc-600">→</span>
          <span className="min-w-0 font-mono break-all text-zinc-100" data-testid="run-branch">{run.branch}</span>
          <CopyButton value={run.branch} label="Copy" />
        </dd>
      </div>
      <Item label="Executor">
        <span className="font-mono">{run.executor}</span>
        {run.acpAgent && (
          <span data-testid="run-acp-agent" className="block text-zinc-300">
            ACP agent: <span className="font-mono">{run.acpAgent}</span>
          </span>
        )}
        {run.model ? (
          <span className="text-zinc-500"> · {run.model}</span>
        ) : (
          run.executor === "acp" && <span className="text-zinc-500"> · the agent&apos;s own model</span>
        )}
      </Item>
      <Item label="Created"><When iso={run.createdAt} /></Item>
      <Item label="Started"><When iso={run.startedAt} /></Item>
      {/* A finish time only once there is one: while the run works its clock says how long. */}
      {run.finishedAt && !working && <Item label="Finished"><When iso={run.finishedAt} /></Item>}
      <WorkTime run={run} duration={duration} working={working} />
      <Item label="Attempt">{run.attempt || <span className="text-zinc-600">—</span>}</Item>
      {/* A shell command is the person's own instruction: approvals apply to agent runs only. */}
      {run.executor === "cli" ? (
        <Item label="Priority">{run.priority}</Item>
      ) : (
        <Item label="Approvals · priority">
          {run.approvalMode} · {run.priority}
        </Item>
      )}
      <Item label="Timeout">{formatDuration(run.timeoutSec * 1000)}</Item>
      {/* The limits an agent run was given (an ACP agent's turns are the prompts it was sent); a shell command has none. */}
      {run.executor !== "cli" && (
        <Item label="Limits">
          <span data-testid="run-limits">
            {run.maxTurns} {run.executor === "acp" ? "prompt turns" : "turns"} · {run.budgetUsd !== null ? `$${run.budgetUsd.toFixed(2)} budget` : "default budget"}
          </span>
        </Item>
      )}
      <Item label="Downloads">
        <RunDownloads runId={run.id} status={run.status} />
      </Item>
      {(hasUsage(run) || turns !== null) && (
        <div className="col-span-2 min-w-0">
          <dt className="text-xs font-medium text-zinc-500">Usage</dt>
          <dd className="mt-0.5" data-testid="usage-summary">
            <UsageSummary usage={run} turns={turns} detailed />
          </dd>
        </div>
      )}
      {run.lineage && hasRelatedRuns(run.lineage) && (
        <div className="col-span-2 sm:col-span-4">
          <dt className="text-xs font-medium text-zinc-500">Related runs</dt>
          <dd className="mt-0.5">
            <RunLineageLinks lineage={run.lineage} />
          </dd>
        </div>
      )}
      {run.lineage && (run.lineage.stack || run.lineage.dependsOn.length > 0 || run.lineage.derived.some((d) => d.kind === "stack")) && (
        <div className="col-span-2 sm:col-span-4">
          <dt className="sr-only">Stack and dependencies</dt>
          <dd>
            <RunStackView run={run} lineage={run.lineage} />
          </dd>
        </div>
      )}
      <div className="col-span-2 border-t border-zinc-800 pt-4 sm:col-span-4">
        <dt className="sr-only">Start from this run</dt>
        <dd>
          <RunFollowOns run={run} />
        </dd>
      </div>
    </dl>
  );
}
