import { z } from "zod";

/**
 * Repository hooks as they run and as they are recorded (one owner for the concept):
 * - the job process runs them (jobs/run/checks.ts) and appends `check.started` and
 *   `check.finished` (lib/events.ts); their output streams as `log` events with
 *   `callId: checkId`, masked and capped like any command's;
 * - the projection (lib/projection.ts) writes one `run_check` row per check, its only writer;
 * - readers (review, reports, feed) read rows through lib/services/runChecks.ts.
 *
 * Phases: `pre` runs after the workspace and environment are ready and before the executor
 * (a failure aborts the run); `post` runs after the executor on the committed changes (a
 * failure is flagged at review and Push needs an acknowledgement); `error` runs when the run
 * fails (its own failure changes nothing).
 */
export const checkPhases = ["pre", "post", "error"] as const;
export type CheckPhase = (typeof checkPhases)[number];

/** Where a check's command came from: the admin's settings or the repository's own file. */
export const checkSources = ["admin", "repository"] as const;
export type CheckSource = (typeof checkSources)[number];

/** `running` until its `check.finished` is recorded (a row left running: its delivery died). */
export const checkStatuses = ["running", "passed", "failed"] as const;
export type CheckStatus = (typeof checkStatuses)[number];

/** The most of a check's output's end that `check.finished` carries (and `run_check` keeps). */
export const CHECK_OUTPUT_TAIL_BYTES = 8 * 1024;

/** Fields of `check.started` after the type. */
export const checkStartedFields = {
  checkId: z.string().min(1),
  phase: z.enum(checkPhases),
  name: z.string(),
  command: z.string(),
  source: z.enum(checkSources),
  timeoutSec: z.number().int().positive(),
  // The commit the workspace held when it ran: for `post`, the run's reviewed head.
  headSha: z.string().optional(),
};

/** Fields of `check.finished` after the type. */
export const checkFinishedFields = {
  checkId: z.string().min(1),
  phase: z.enum(checkPhases),
  name: z.string(),
  ok: z.boolean(),
  // null: killed by a signal (its timeout, or the run stopping).
  exitCode: z.number().int().nullable(),
  timedOut: z.boolean(),
  durationMs: z.number().nonnegative(),
  // The end of its output (masked), at most CHECK_OUTPUT_TAIL_BYTES; all of it is in the feed.
  output: z.string(),
  truncated: z.boolean(),
  headSha: z.string().optional(),
  // Why it could not run at all (e.g. a variable it needs is not set on the job process).
  error: z.string().optional(),
};

/** One check of a run as readers get it (lib/services/runChecks.ts). */
export const runCheck = z.object({
  checkId: z.string(),
  phase: z.enum(checkPhases),
  name: z.string(),
  command: z.string(),
  source: z.enum(checkSources),
  status: z.enum(checkStatuses),
  exitCode: z.number().int().nullable(),
  timedOut: z.boolean(),
  durationMs: z.number().nonnegative().nullable(),
  output: z.string(),
  truncated: z.boolean(),
  headSha: z.string().nullable(),
  error: z.string().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type RunCheck = z.infer<typeof runCheck>;
