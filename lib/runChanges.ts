import { applyTransition, type RunStatus, type TransitionOutcome } from "./contracts/runLifecycle";
import type { run } from "./db/schema";
import type { RunEvent } from "./events";

/**
 * What an event changes on its run's record. Pure (no database, no Redis) so the recorder
 * projecting into the database and the browser updating a run page live apply the same rules.
 * The status moves only by the lifecycle's transition table (lib/contracts/runLifecycle.ts).
 */
export type RunChanges = Partial<typeof run.$inferInsert>;

/** What an event changes on its run's row besides the status (branch, usage, timings). */
export function runChanges(event: RunEvent): RunChanges {
  const at = new Date(event.at);
  switch (event.type) {
    case "run.started":
      return { attempt: event.attempt, startedAt: at, error: null };
    case "workspace.ready":
      return { branch: event.branch, baseSha: event.baseSha };
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
      return { headSha: event.headSha, finishedAt: at };
    case "push.started":
    case "review.decided":
      return { error: null };
    case "push.finished":
      return event.ok ? {} : { error: event.error ?? "push failed" };
    case "run.completed":
    case "run.cancelled":
      return { finishedAt: at };
    case "run.failed":
      return { error: event.error, finishedAt: at };
    default:
      return {};
  }
}

/**
 * The event's whole effect on a run now in `current`: its changes with the status it moves
 * to, or nothing at all when the lifecycle refuses the move (a late event of a stopped
 * attempt must not touch a run that went on without it).
 */
export function runEffect(current: RunStatus, event: RunEvent): { changes: RunChanges; outcome: TransitionOutcome } {
  const outcome = applyTransition(current, event);
  if (outcome.kind === "refused") return { changes: {}, outcome };
  const changes = runChanges(event);
  return { changes: outcome.kind === "moved" ? { ...changes, status: outcome.to } : changes, outcome };
}
