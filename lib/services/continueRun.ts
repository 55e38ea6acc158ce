import { statusWords } from "../contracts/runLifecycle";
import { MAX_STACK_DEPTH, canContinue } from "../contracts/runStack";
import { AppError } from "../errors";
import type { App } from "../server/app";
import { submitRunOnBranchOf, type FollowUpInput } from "./followUpRun";
import type { Principal } from "./principal";
import { assertRunActionable, type RunView } from "./runs";
import { stackAncestors } from "./runStack";

/**
 * "Continue from this run": a new run stacked on this one (lib/contracts/runStack.ts). Its
 * base branch is this run's branch and it starts at this run's head, so its diff holds only
 * its own changes, also before this run is pushed (its job restores this run's branch from
 * the bundle in Redis). A run whose work is not done yet is waited for (the new run depends on
 * it). It takes a new task (or command) and otherwise this run's settings. The one
 * implementation behind POST /api/runs/:id/continue and the run page's form.
 */
export async function continueRun(
  app: App,
  principal: Principal,
  runId: string,
  body: FollowUpInput,
  options: { idempotencyKey?: string; keyField?: string } = {},
): Promise<{ run: RunView; replayed: boolean }> {
  const row = await assertRunActionable(app, principal, runId);
  if (!canContinue(row.status)) {
    throw new AppError("conflict", `The run is ${statusWords(row.status)}; only a run whose work is done or under way can be continued`);
  }
  if ((await stackAncestors(app, row)).length + 1 >= MAX_STACK_DEPTH) {
    throw new AppError("conflict", `The stack is already ${MAX_STACK_DEPTH} runs deep; push its runs and start a new run from the pushed branch`);
  }
  return submitRunOnBranchOf(app, principal, row, body, options, { kind: "stack", verb: "continued", keyPrefix: "continue-from" });
}
