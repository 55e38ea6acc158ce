/**
 * Dependent runs: a run that waits for other runs to finish well before its job is added.
 * "Well" means the run's own work ended without failing: it is awaiting review, being pushed,
 * pushed, or completed (nothing to review). A review is a person's decision about the result,
 * not part of the work, so a dependent does not wait for it. A dependency that failed, was
 * cancelled or discarded cancels the dependent, naming it. Pure: safe in a browser.
 */
import { z } from "zod";
import { endedWithoutWorkStatuses, finishedWellStatuses, type RunStatus } from "./runLifecycle";

/** How many runs one run may wait for. */
export const MAX_DEPENDENCIES = 10;

/** `dependsOn` as POST /api/runs and the New run form take it: distinct run ids. */
export const dependsOnInput = z
  .array(z.uuid("must be run ids"))
  .max(MAX_DEPENDENCIES, `may name at most ${MAX_DEPENDENCIES} runs`)
  .refine((ids) => new Set(ids).size === ids.length, "names a run twice");

export type DependencyState = "done" | "pending" | "broken";

/** Where a dependency in `status` leaves the runs waiting for it. */
export function dependencyState(status: RunStatus): DependencyState {
  if ((finishedWellStatuses as readonly RunStatus[]).includes(status)) return "done";
  if ((endedWithoutWorkStatuses as readonly RunStatus[]).includes(status)) return "broken";
  return "pending";
}
