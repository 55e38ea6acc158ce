import type { App } from "../server/app";
import type { Principal } from "./principal";
import { assertRunVisible } from "./runs";
import { storedRunSettings } from "./runSettings";

/**
 * Duplicate: a run's settings in the shape of POST /api/runs (repository, base branch,
 * executor, ACP agent, task or command, approval mode, model, limits, priority), for the New
 * run form to open prefilled (/runs/new?from=<id>) or a script to post again with changes.
 * Nothing is created: the person edits and starts it. Any run the caller may see, in any
 * state; another user's run is "not found". The one reading behind the form's prefill and
 * GET /api/runs/:id/settings.
 */
export async function duplicateRunSettings(app: Pick<App, "db">, principal: Principal, runId: string) {
  const row = await assertRunVisible(app, principal, runId);
  return { from: row.id, settings: await storedRunSettings(app, row) };
}
