import { z } from "zod";
import { statusWords } from "../contracts/runLifecycle";
import { canFollowUp, type RunOriginKind } from "../contracts/runOrigin";
import { AppError, fieldError } from "../errors";
import type { App } from "../server/app";
import type { Principal } from "./principal";
import { assertRunActionable, submitRun, type RunView } from "./runs";
import { runInputFrom, type StoredRun } from "./runSettings";

/** What a follow-up changes: the task (agents) or the command and notes (shell commands). */
export const followUpInput = z.object({
  prompt: z.string().trim().max(100_000).optional(),
  command: z.string().trim().max(20_000).optional(),
});
export type FollowUpInput = z.infer<typeof followUpInput>;

/**
 * Follow-up: a new run that starts from a pushed run's branch (its base branch is that
 * branch, so it sees everything the first run did) with a new task, and otherwise the first
 * run's settings. It works on a branch of its own; the pushed branch is never changed. Only a
 * pushed run has a branch on the remote the job processes fetch from; before the push,
 * "request changes" continues a run on its own branch. The new run records the one it follows
 * up. The one implementation behind POST /api/runs/:id/follow-up and the run page's form.
 */
export async function followUpRun(
  app: App,
  principal: Principal,
  runId: string,
  body: FollowUpInput,
  options: { idempotencyKey?: string; keyField?: string } = {},
): Promise<{ run: RunView; replayed: boolean }> {
  const row = await assertRunActionable(app, principal, runId);
  if (!canFollowUp(row.status)) {
    throw new AppError(
      "conflict",
      `The run is ${statusWords(row.status)}; only a pushed run's branch can be followed up (before the push, request changes instead)`,
    );
  }
  return submitRunOnBranchOf(app, principal, row, body, options, { kind: "follow_up", verb: "followed up", keyPrefix: "follow-up-of" });
}

export type RunFromBranchOptions = { idempotencyKey?: string; keyField?: string };

/**
 * A new run on `row`'s branch with a new task (or command) and otherwise `row`'s settings,
 * recorded as made from it: the shared part of a follow-up and of "continue from this run"
 * (lib/services/continueRun.ts), which differ in which runs they accept.
 */
export async function submitRunOnBranchOf(
  app: App,
  principal: Principal,
  row: StoredRun,
  body: FollowUpInput,
  options: RunFromBranchOptions,
  how: { kind: RunOriginKind; verb: string; keyPrefix: string },
): Promise<{ run: RunView; replayed: boolean }> {
  const cli = row.executor === "cli";
  if (!cli && body.command) throw fieldError("command", `applies only to shell-command runs, not ${row.executor}`);
  const input = await runInputFrom(app, row, { baseBranch: row.branch, prompt: body.prompt ?? "", ...(cli ? { command: body.command } : {}) }, how.verb);
  return submitRun(app, principal, input, {
    ...(options.idempotencyKey ? { idempotencyKey: `${how.keyPrefix}-${row.id}:${options.idempotencyKey}`, keyField: options.keyField } : {}),
    origin: { kind: how.kind, runId: row.id },
  });
}
