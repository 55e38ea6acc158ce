/**
 * Stacked runs ("Continue from this run"): a run whose branch starts at another run's branch
 * head, so its diff is against its parent's branch, before the parent is pushed. The web
 * builds the chain into the job payload (lib/queue.ts `stackedOn`); the job process restores
 * branches that are not on the remote from their runs' bundles (jobs/run/stackBase.ts). Pure:
 * safe in a browser.
 */
import { z } from "zod";
import { isTerminal, type RunStatus } from "./runLifecycle";

/** How many runs deep a stack may go (each level is one more bundle to restore). */
export const MAX_STACK_DEPTH = 10;

/** One branch of the chain, at the commit the next run builds on. */
export const stackLink = z.object({
  runId: z.string().min(1),
  branch: z.string().regex(/^agentdesk\/[a-z0-9][a-z0-9-]*$/),
  headSha: z.string().regex(/^[0-9a-f]{40}$/, "must be a full commit sha"),
});
export type StackLink = z.infer<typeof stackLink>;

/**
 * A run can be continued once its work exists or will: awaiting review or pushed (its branch
 * is in Redis or on the remote), or still on its way there (the new run then also waits for
 * it, lib/contracts/runDependencies.ts). Not a run that ended without a branch to build on.
 */
export const canContinue = (status: RunStatus): boolean => !isTerminal(status) || status === "pushed";

/**
 * A stacked run may be pushed only after its parent is: its pull request targets the
 * parent's branch, which must exist on the remote.
 */
export const parentAllowsPush = (parentStatus: RunStatus): boolean => parentStatus === "pushed";

/**
 * A stacked run not over yet still needs its parent's branch: discarding the parent while
 * one is refused (its base would be gone).
 */
export const needsParentBranch = (childStatus: RunStatus): boolean => !isTerminal(childStatus);
