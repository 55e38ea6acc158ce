import type { EventLog } from "./eventLog";

/**
 * How long Redis keeps a run's working state, the large per-run values beside its events: the
 * branch's bundle, the executor's checkpoint and its final conversation. Their lifetime follows
 * the run's: kept while the run runs or awaits review (a resume, a push or a follow-up on any
 * job process needs them), removed when the run ends without review (completed, failed,
 * cancelled) and when its review ends it (pushed: the branch is on the remote; discarded).
 * The run's repository on the job machine that ran it (DATA_DIR/runs/<id>/repo.git) holds the
 * branch as long as the run is open, so a push there needs no bundle. What nobody removes (a
 * crash between the end and the clean-up, a run left in review) expires after the backstop.
 */
export const RUN_STATE_BACKSTOP_SEC = 30 * 24 * 3600;

/** The keys of a run's working state (not its events, which expire on their own once it ends). */
export const runStateKeys = (log: EventLog, runId: string) => [
  log.keys.runBundle(runId),
  log.keys.runCheckpoint(runId),
  log.keys.runConversation(runId),
];

/**
 * Removes a run's working state from Redis: its run is over, nothing will resume, push or
 * continue it. A delivery of a run job passes its fenced delete (jobs/run/fence.ts), so an
 * attempt that lost its lock cannot delete what the live one still needs.
 */
export async function forgetRunState(
  log: EventLog,
  runId: string,
  del: (key: string) => Promise<unknown> = (key) => log.redis.del(key),
): Promise<void> {
  for (const key of runStateKeys(log, runId)) await del(key);
}
