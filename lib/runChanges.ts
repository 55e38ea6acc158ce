import { applyTransition, type RunStatus, type TransitionOutcome } from "./contracts/runLifecycle";
import type { run } from "./db/schema";
import type { RunEvent } from "./events";
import { runTimesAfter, type RunTimes } from "./runTimes";

/**
 * What an event changes on its run's record. Pure (no database, no Redis) so the recorder
 * projecting into the database and the browser updating a run page live apply the same rules.
 * The status moves only by the lifecycle's transition table (lib/contracts/runLifecycle.ts).
 */
export type RunChanges = Partial<typeof run.$inferInsert>;

/** What an event changes on its run's row besides the status and the times (branch, usage, errors). */
export function runChanges(event: RunEvent): RunChanges {
  switch (event.type) {
    case "run.started":
      return { attempt: event.attempt, error: null };
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
      return { headSha: event.headSha };
    case "push.started":
    case "review.decided":
      return { error: null };
    case "push.finished":
      return event.ok ? {} : { error: event.error ?? "push failed" };
    case "run.failed":
      return { error: event.error };
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

/** A run as far as events change it: its status and its times (lib/runTimes.ts). */
export type RunState = RunTimes & { status: RunStatus };

/**
 * `runEffect` with the run's times: a legal move also moves its clock (first start, round
 * start, end, the earlier rounds' total), which depends on the times the run already has.
 * The projection and the run page both apply events with this.
 */
export function runEffectOn(current: RunState, event: RunEvent): { changes: RunChanges; outcome: TransitionOutcome } {
  const effect = runEffect(current.status, event);
  if (effect.outcome.kind === "refused") return effect;
  return { changes: { ...effect.changes, ...runTimesAfter(current, event) }, outcome: effect.outcome };
}
