/**
 * Where a run came from when a person made it from another run (lib/services/rerunRun.ts, followUpRun.ts,
 * lib/services/retryRun.ts): the database enum, the API's `origin` and the run page's links all
 * read these names from here. Pure: safe in a browser.
 */
import { isTerminal, type RunStatus } from "./runLifecycle";

// `stack`: "Continue from this run": a new run whose branch starts at the run's branch head
// before it is pushed (lib/contracts/runStack.ts).
export const runOriginKinds = ["retry", "rerun", "follow_up", "stack"] as const;
export type RunOriginKind = (typeof runOriginKinds)[number];

/** "Retry of …", "Re-run of …", "Follow-up of …" on the new run; the reverse on the original. */
export const originLabels: Record<RunOriginKind, { of: string; as: string }> = {
  retry: { of: "Retry of", as: "Retried as" },
  rerun: { of: "Re-run of", as: "Re-run as" },
  follow_up: { of: "Follow-up of", as: "Followed up by" },
  stack: { of: "Stacked on", as: "Continued by" },
};


/** Re-run (the same settings, a new run) applies to a run whose work is over, whatever its end. */
export const canRerun = (status: RunStatus): boolean => isTerminal(status);

/**
 * A follow-up starts a new run from this run's branch, so the branch must be on the remote the
 * job processes fetch from: a pushed run. (Before the push, "request changes" is the follow-up.)
 */
export const canFollowUp = (status: RunStatus): boolean => status === "pushed";
