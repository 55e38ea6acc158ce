import { runJobPayload, type RunJobPayload } from "../queue";
import type { repository, run } from "../db/schema";

type RunFields = Pick<
  typeof run.$inferSelect,
  | "id"
  | "userId"
  | "baseBranch"
  | "branch"
  | "executor"
  | "command"
  | "prompt"
  | "approvalMode"
  | "model"
  | "maxTurns"
  | "timeoutSec"
  | "inputTimeoutSec"
>;
type RepoFields = Pick<typeof repository.$inferSelect, "name" | "url" | "credentialEnv" | "networkHosts">;

/**
 * The run job for a run record: everything the job process needs, so it never reads the
 * database. Parsed against the queue's schema, since a row's text columns are wider than it.
 */
export function runJobPayloadFor(
  row: RunFields,
  repo: RepoFields,
  extra: { approvalRules: RunJobPayload["approvalRules"]; feedback?: RunJobPayload["feedback"] },
): RunJobPayload {
  return runJobPayload.parse({
    kind: "run",
    runId: row.id,
    userId: row.userId,
    repo: { name: repo.name, url: repo.url, credentialEnv: repo.credentialEnv, networkHosts: repo.networkHosts },
    baseBranch: row.baseBranch,
    branch: row.branch,
    executor: row.executor,
    command: row.command,
    prompt: row.prompt,
    approvalMode: row.approvalMode,
    model: row.model,
    maxTurns: row.maxTurns,
    timeoutSec: row.timeoutSec,
    inputTimeoutSec: row.inputTimeoutSec,
    approvalRules: extra.approvalRules,
    ...(extra.feedback ? { feedback: extra.feedback } : {}),
  });
}
