import { eq } from "drizzle-orm";
import type { run } from "../db/schema";
import { repository } from "../db/schema";
import { AppError } from "../errors";
import { fieldIssues } from "../http/zodIssues";
import type { App } from "../server/app";
import { createRunInput, type CreateRunInput } from "./runs";

export type StoredRun = typeof run.$inferSelect;

/**
 * What a person chose when submitting a run, read back from its record in the shape of
 * POST /api/runs: repository, base branch, executor (and ACP agent), task or command, approval
 * mode, model, limits and priority. The one reading behind retry, re-run, follow-up and the
 * New run form's "duplicate" prefill, so they never disagree about what "the same settings" are.
 */
export type StoredRunSettings = {
  repo: string;
  baseBranch: string;
  prompt: string;
  executor: string;
  acpAgent?: string;
  command?: string;
  approvalMode: string;
  model?: string;
  maxTurns: number;
  budgetUsd?: number;
  timeoutSec: number;
  inputTimeoutSec: number;
  priority: string;
};

export async function storedRunSettings(app: Pick<App, "db">, row: StoredRun): Promise<StoredRunSettings> {
  const [repo] = await app.db.select({ name: repository.name }).from(repository).where(eq(repository.id, row.repositoryId)).limit(1);
  return {
    repo: repo!.name,
    baseBranch: row.baseBranch,
    prompt: row.prompt,
    executor: row.executor,
    ...(row.acpAgent !== null ? { acpAgent: row.acpAgent } : {}),
    ...(row.command !== null ? { command: row.command } : {}),
    approvalMode: row.approvalMode,
    ...(row.model !== null ? { model: row.model } : {}),
    maxTurns: row.maxTurns,
    ...(row.budgetUsd !== null ? { budgetUsd: row.budgetUsd } : {}),
    timeoutSec: row.timeoutSec,
    inputTimeoutSec: row.inputTimeoutSec,
    priority: row.priority,
  };
}

/**
 * The run's settings with `changes` applied, checked as a submit checks them. A run stored by
 * an older version whose settings today's form no longer takes is a 409 saying so; a change
 * the caller made that is wrong (a follow-up's empty prompt) names its field, as a submit does.
 */
export async function runInputFrom(
  app: Pick<App, "db">,
  row: StoredRun,
  changes: Partial<Record<keyof CreateRunInput, unknown>> = {},
  what = "started again",
): Promise<CreateRunInput> {
  const input = createRunInput.safeParse({ ...(await storedRunSettings(app, row)), ...changes });
  if (input.success) return input.data;
  const changed = new Set(Object.keys(changes));
  const issues = fieldIssues(input.error);
  if (issues.some((i) => changed.has(i.path.split(".")[0]!))) {
    throw new AppError("invalid_request", `Invalid request body: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`, issues);
  }
  const why = input.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
  throw new AppError("conflict", `The run cannot be ${what} with its settings (${why}); start a new run`);
}
