import type { run, RunStatus } from "./db/schema";
import type { RunEvent } from "./events";

/**
 * What an event changes on its run's record. Pure (no database, no Redis) so the recorder
 * projecting into the database and the browser updating a run page live apply the same rules.
 */
export type RunChanges = Partial<typeof run.$inferInsert>;

// Where a review decision takes the run: a push job, nothing more, or back to the agent.
const reviewStatus = { push: "pushing", discard: "discarded", request_changes: "queued" } as const;

/** What an event changes on its run's row (status, branch, usage, timings). */
export function runChanges(event: RunEvent): RunChanges {
  const at = new Date(event.at);
  switch (event.type) {
    case "run.started":
      return { status: "running", attempt: event.attempt, startedAt: at, error: null };
    case "workspace.ready":
      return { branch: event.branch, baseSha: event.baseSha };
    case "input.requested":
      return { status: "waiting_input" };
    case "input.resolved":
      return { status: "running" };
    case "usage":
      return {
        inputTokens: event.inputTokens,
        outputTokens: event.outputTokens,
        cacheReadTokens: event.cacheReadTokens,
        costUsd: event.costUsd,
      };
    case "diff.ready":
      return { headSha: event.headSha };
    case "run.awaiting_review":
      return { status: "awaiting_review", headSha: event.headSha, finishedAt: at };
    case "push.started":
      return { status: "pushing", error: null };
    case "push.finished":
      return event.ok ? { status: "pushed" } : { status: "awaiting_review", error: event.error ?? "push failed" };
    case "review.decided":
      return { status: reviewStatus[event.action], error: null };
    case "run.completed":
      return { status: "completed", finishedAt: at };
    case "run.failed":
      return { status: "failed", error: event.error, finishedAt: at };
    case "run.cancelled":
      return { status: "cancelled", finishedAt: at };
    default:
      return {};
  }
}

// Statuses a stray late event (a retried job's start, say) must not walk back from.
const settled: ReadonlySet<RunStatus> = new Set(["cancelled", "discarded", "pushed", "completed"]);

/** The changes without a status change that would walk a settled run back. */
export function keepSettledStatus(current: RunStatus, event: RunEvent, changes: RunChanges): RunChanges {
  if (settled.has(current) && changes.status && event.type !== "push.started" && event.type !== "push.finished") {
    const { status: _dropped, ...rest } = changes;
    return rest;
  }
  return changes;
}
