import { canRetry, statusWords } from "../contracts/runLifecycle";
import { AppError } from "../errors";
import type { App } from "../server/app";
import type { Principal } from "./principal";
import { assertRunActionable, submitRun, type RunView } from "./runs";
import { runInputFrom } from "./runSettings";

/**
 * Retry: a new run with the same repository, base branch, executor (and ACP agent), task,
 * approval mode, model, limits and priority as a failed or cancelled one, created exactly as a
 * submit creates it (the executor must still be offered, the repository's rules, MCP servers
 * and environment are read as they are now). The one implementation behind
 * POST /api/runs/:id/retry and the run page's Retry button.
 *
 * The new run is the retrying person's: the owner, or an admin who then owns what it does. It
 * is submitted under an idempotency key naming the retried run, so a second click (or a client
 * repeating the request, even at the same moment) gets the same new run back, never a second.
 * It records the run it retries (origin), so each run's page links to the other.
 */
export async function retryRun(app: App, principal: Principal, runId: string): Promise<{ run: RunView; replayed: boolean }> {
  // Another user's run is "not found" (its existence is not disclosed), as everywhere.
  const row = await assertRunActionable(app, principal, runId);
  if (!canRetry(row.status)) {
    throw new AppError("conflict", `The run is ${statusWords(row.status)}; only a failed or cancelled run can be retried`);
  }
  const input = await runInputFrom(app, row, {}, "retried");
  return submitRun(app, principal, input, { idempotencyKey: `retry-of-${row.id}`, origin: { kind: "retry", runId: row.id } });
}
