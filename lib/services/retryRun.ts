import { eq } from "drizzle-orm";
import { canRetry, statusWords } from "../contracts/runLifecycle";
import { repository } from "../db/schema";
import { AppError } from "../errors";
import type { App } from "../server/app";
import type { Principal } from "./principal";
import { assertRunVisible, createRunInput, submitRun, type RunView } from "./runs";

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
 */
export async function retryRun(app: App, principal: Principal, runId: string): Promise<{ run: RunView; replayed: boolean }> {
  // Another user's run is "not found" (its existence is not disclosed), as everywhere.
  const row = await assertRunVisible(app, principal, runId);
  if (!canRetry(row.status)) {
    throw new AppError("conflict", `The run is ${statusWords(row.status)}; only a failed or cancelled run can be retried`);
  }
  const [repo] = await app.db.select({ name: repository.name }).from(repository).where(eq(repository.id, row.repositoryId)).limit(1);
  const input = createRunInput.safeParse({
    repo: repo!.name,
    baseBranch: row.baseBranch,
    prompt: row.prompt,
    executor: row.executor,
    ...(row.acpAgent !== null ? { acpAgent: row.acpAgent } : {}),
    ...(row.command !== null ? { command: row.command } : {}),
    approvalMode: row.approvalMode,
    ...(row.model !== null ? { model: row.model } : {}),
    maxTurns: row.maxTurns,
    timeoutSec: row.timeoutSec,
    inputTimeoutSec: row.inputTimeoutSec,
    priority: row.priority,
  });
  if (!input.success) {
    // A run stored by an older version whose settings today's form no longer takes.
    const why = input.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new AppError("conflict", `The run cannot be retried with its settings (${why}); start a new run`);
  }
  return submitRun(app, principal, input.data, { idempotencyKey: `retry-of-${row.id}` });
}
