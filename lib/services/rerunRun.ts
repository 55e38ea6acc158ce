import { statusWords } from "../contracts/runLifecycle";
import { canRerun } from "../contracts/runOrigin";
import { AppError } from "../errors";
import type { App } from "../server/app";
import type { Principal } from "./principal";
import { assertRunActionable, submitRun, type RunView } from "./runs";
import { runInputFrom } from "./runSettings";

/**
 * Re-run: a new run with exactly the settings of one whose work is over (finished, pushed,
 * discarded, failed or cancelled), created as a submit creates it, owned by the person who
 * re-runs it (the owner, or an admin). Unlike a retry, a run may be re-run any number of
 * times; a caller that may repeat its request names it with a key (the Idempotency-Key header,
 * the page's form key), and the same key gives back the same new run. The new run records the
 * one it re-runs, so their pages link to each other. The one implementation behind
 * POST /api/runs/:id/rerun and the run page's Re-run button.
 */
export async function rerunRun(
  app: App,
  principal: Principal,
  runId: string,
  options: { idempotencyKey?: string; keyField?: string } = {},
): Promise<{ run: RunView; replayed: boolean }> {
  const row = await assertRunActionable(app, principal, runId);
  if (!canRerun(row.status)) {
    throw new AppError("conflict", `The run is ${statusWords(row.status)}; a run can be re-run once it has ended`);
  }
  const input = await runInputFrom(app, row, {}, "re-run");
  return submitRun(app, principal, input, {
    // Namespaced by the run, so a key used for another submit never answers with that run.
    ...(options.idempotencyKey ? { idempotencyKey: `rerun-of-${row.id}:${options.idempotencyKey}`, keyField: options.keyField } : {}),
    origin: { kind: "rerun", runId: row.id },
  });
}
