/**
 * The run lifecycle, declared once (DESIGN.md "Run lifecycle"): the statuses a run can be in,
 * which event moves it from which statuses to which, and the questions everyone asks about a
 * status (is it over? can it be cancelled, reviewed, answered?). The database enum, the
 * projection of events (the only writer of `run.status`), the services, the pages and the job
 * process's metrics all import it from here. Pure: no database, no Redis, safe in a browser.
 */

export const runStatuses = [
  // Created with dependencies not yet done (lib/contracts/runDependencies.ts): no job until they are.
  "waiting_dependencies",
  "queued",
  "running",
  "waiting_input",
  "awaiting_review",
  "pushing",
  "pushed",
  "completed",
  "failed",
  "cancelled",
  "discarded",
] as const;
export type RunStatus = (typeof runStatuses)[number];

/** Statuses a run never leaves: its work is over and nothing more will happen to it. */
export const terminalStatuses = ["pushed", "completed", "failed", "cancelled", "discarded"] as const satisfies readonly RunStatus[];
export type TerminalStatus = (typeof terminalStatuses)[number];

/**
 * A run's work ended well (a review is a person's decision about it, not part of it): a run
 * waiting for it may start (lib/contracts/runDependencies.ts).
 */
export const finishedWellStatuses = ["awaiting_review", "pushing", "pushed", "completed"] as const satisfies readonly RunStatus[];
/** A run ended without its work: a run waiting for it is cancelled. */
export const endedWithoutWorkStatuses = ["failed", "cancelled", "discarded"] as const satisfies readonly RunStatus[];

/** A job is queued for the run or working on it (the agent included, while it waits for a person). */
export const activeStatuses = ["queued", "running", "waiting_input"] as const satisfies readonly RunStatus[];

const has = (set: readonly RunStatus[], status: RunStatus) => set.includes(status);

export const isTerminal = (status: RunStatus): status is TerminalStatus => has(terminalStatuses, status);
/** A run job is queued or working on the run: it can still ask, be answered, be cancelled. */
export const isActive = (status: RunStatus): boolean => has(activeStatuses, status);
/**
 * Cancel applies while a run job is queued or working (a push is carried through, a review
 * decided), and while the run waits for its dependencies (it has no job yet).
 */
export const canCancel = (status: RunStatus): boolean => isActive(status) || status === "waiting_dependencies";
/** Push, request changes and discard apply to a run awaiting review only. */
export const canReview = (status: RunStatus): boolean => status === "awaiting_review";
/** Retry (a new run with the same settings) applies to a run that ended without its work: failed or cancelled. */
export const retryableStatuses = ["failed", "cancelled"] as const satisfies readonly RunStatus[];
export const canRetry = (status: RunStatus): boolean => has(retryableStatuses, status);
/** An answer to an input request reaches someone only while a run job is queued or working. */
export const canTakeInput = (status: RunStatus): boolean => isActive(status);

export const statusLabels: Record<RunStatus, string> = {
  waiting_dependencies: "Waiting for runs",
  queued: "Queued",
  running: "Running",
  waiting_input: "Waiting for input",
  awaiting_review: "Awaiting review",
  pushing: "Pushing",
  pushed: "Pushed",
  completed: "Completed",
  failed: "Failed",
  cancelled: "Cancelled",
  discarded: "Discarded",
};
export const statusLabel = (status: RunStatus): string => statusLabels[status];
/** The status in a sentence: "The run is awaiting review". */
export const statusWords = (status: RunStatus): string => status.replace(/_/g, " ");

/** The events that move a run, and what decides where to (see `transitionFor`). */
export type StatusEvent =
  | { type: "run.waiting" }
  | { type: "run.released" }
  | { type: "run.started" }
  | { type: "input.requested" }
  | { type: "input.resolved" }
  | { type: "run.awaiting_review" }
  | { type: "push.started" }
  | { type: "push.finished"; ok: boolean }
  | { type: "review.decided"; action: ReviewAction }
  | { type: "run.completed" }
  | { type: "run.failed" }
  | { type: "run.cancelled" };

type Transition = { to: RunStatus; from: readonly RunStatus[] };

const notOver = runStatuses.filter((s) => !isTerminal(s));

/**
 * The transition table: for each status-changing event, where it takes the run and the
 * statuses it may come from. Anything else is an illegal move: the event is still recorded,
 * the status stays (a late event of a replaced attempt, a zombie's, a replayed entry).
 */
export const transitions = {
  // A new run whose dependencies are not all done waits without a job; once they are, it is
  // released (queued, its job added) or, when one of them failed, cancelled.
  "run.waiting": { to: "waiting_dependencies", from: ["queued"] },
  "run.released": { to: "queued", from: ["waiting_dependencies"] },
  // A (re)delivered run job starts or takes the run over, a waiting one included (a hand-over).
  "run.started": { to: "running", from: ["queued", "running", "waiting_input"] },
  "input.requested": { to: "waiting_input", from: ["running", "waiting_input"] },
  "input.resolved": { to: "running", from: ["running", "waiting_input"] },
  // The job's end with something to review; from awaiting_review it is the feed's marker that
  // a decision was taken back (its job could not be queued): no change.
  "run.awaiting_review": { to: "awaiting_review", from: ["running", "waiting_input", "awaiting_review"] },
  "push.started": { to: "pushing", from: ["awaiting_review", "pushing"] },
  "push.finished:ok": { to: "pushed", from: ["pushing", "pushed"] },
  // A push that finally failed goes back to review: push again, or discard.
  "push.finished:failed": { to: "awaiting_review", from: ["pushing"] },
  "review.decided:push": { to: "pushing", from: ["awaiting_review"] },
  "review.decided:discard": { to: "discarded", from: ["awaiting_review"] },
  "review.decided:request_changes": { to: "queued", from: ["awaiting_review"] },
  "run.completed": { to: "completed", from: ["queued", "running", "waiting_input"] },
  // Anything not over can fail (a job BullMQ gave up on, a push or discard that broke).
  "run.failed": { to: "failed", from: notOver },
  "run.cancelled": { to: "cancelled", from: ["waiting_dependencies", "queued", "running", "waiting_input"] },
} as const satisfies Record<string, Transition>;
export type TransitionName = keyof typeof transitions;

function transitionName(event: StatusEvent): TransitionName {
  switch (event.type) {
    case "push.finished":
      return event.ok ? "push.finished:ok" : "push.finished:failed";
    case "review.decided":
      return `review.decided:${event.action}`;
    default:
      return event.type;
  }
}

/** The transition an event asks for, or null when the event does not move runs at all. */
export function transitionFor(event: { type: string; ok?: boolean; action?: string }): Transition | null {
  if (!isStatusEvent(event)) return null;
  return transitions[transitionName(event)];
}

const statusEventTypes: ReadonlySet<string> = new Set([
  "run.waiting",
  "run.released",
  "run.started",
  "input.requested",
  "input.resolved",
  "run.awaiting_review",
  "push.started",
  "push.finished",
  "review.decided",
  "run.completed",
  "run.failed",
  "run.cancelled",
]);
function isStatusEvent(event: { type: string }): event is StatusEvent {
  return statusEventTypes.has(event.type);
}

export type TransitionOutcome =
  | { kind: "none" }
  | { kind: "moved"; from: RunStatus; to: RunStatus }
  | { kind: "refused"; from: RunStatus; to: RunStatus; event: string };

/** What an event does to a run in `current`: nothing, a legal move, or an illegal one refused. */
export function applyTransition(current: RunStatus, event: { type: string; ok?: boolean; action?: string }): TransitionOutcome {
  const transition = transitionFor(event);
  if (!transition) return { kind: "none" };
  if (!has(transition.from, current)) return { kind: "refused", from: current, to: transition.to, event: event.type };
  return { kind: "moved", from: current, to: transition.to };
}

type ReviewAction = "push" | "request_changes" | "discard";

/** Where a review decision takes the run (the projection of `review.decided` does exactly this). */
export const reviewDecisionStatus = (action: ReviewAction): RunStatus => transitions[`review.decided:${action}`].to;

/**
 * Whether the run is still where a decision took it, or further down the same path: asking
 * for the same decision again then is a repeat (a double click), not a new decision.
 */
export function decisionStillInEffect(action: ReviewAction, status: RunStatus): boolean {
  switch (action) {
    case "push":
      return status === "pushing" || status === "pushed";
    case "discard":
      return status === "discarded";
    case "request_changes":
      return isActive(status);
  }
}

/**
 * Running and waiting for a person are one phase seen two ways: while the run has an open
 * input request it is waiting, whatever event came last (a job that took the run over during
 * an approval wait starts "running" but still waits for the same answer).
 */
export function withOpenRequests(status: RunStatus, openRequests: number): RunStatus {
  if (status === "running" && openRequests > 0) return "waiting_input";
  if (status === "waiting_input" && openRequests === 0) return "running";
  return status;
}
