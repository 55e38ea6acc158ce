import { monthOf } from "../contracts/budgets";
import type { EnvironmentSpec } from "../contracts/environment";
import type { AcpAgentSpec, McpServerSpec } from "../contracts/executorSpecs";
import type { repository, run } from "../db/schema";
import { AppError } from "../errors";
import { runJobPayload, type RunJobPayload } from "../queue";
import type { App } from "../server/app";
import { acpAgentSpecByName } from "./acpAgents";
import { effectiveRules } from "./approvalRules";
import { environmentSpecOf } from "./environments";
import { mcpServerSpecsOf } from "./mcpServers";
import { stackLinksFor } from "./runStack";

type RunFields = Pick<
  typeof run.$inferSelect,
  | "id"
  | "userId"
  | "teamId"
  | "createdAt"
  | "baseBranch"
  | "branch"
  | "executor"
  | "acpAgent"
  | "command"
  | "prompt"
  | "approvalMode"
  | "model"
  | "maxTurns"
  | "budgetUsd"
  | "timeoutSec"
  | "inputTimeoutSec"
  | "originRunId"
  | "originKind"
>;
type RepoFields = Pick<typeof repository.$inferSelect, "name" | "url" | "credentialEnv" | "networkHosts">;

/**
 * What a run's job carries from the registries rather than from the run: the rules in force
 * (its repository's and its user's), the spec of its ACP agent as registered now (null when
 * the run has none, or its agent is no longer registered), its repository's MCP servers and
 * its repository's environment (null when none is set). Read afresh whenever a job is built (a new run, a reviewer's follow-up, a requeue), so an
 * admin's change reaches the next job of a run.
 */
export type RunJobSpecs = {
  approvalRules: RunJobPayload["approvalRules"];
  acpAgent: AcpAgentSpec | null;
  mcpServers: McpServerSpec[];
  environment: EnvironmentSpec | null;
  /** A stacked run's chain of branches (lib/services/runStack.ts); null when not stacked. */
  stackedOn: RunJobPayload["stackedOn"] | null;
};

export async function runJobSpecsFor(
  app: Pick<App, "db">,
  row: Pick<RunFields, "id" | "userId" | "acpAgent" | "originRunId" | "originKind">,
  repositoryId: string,
): Promise<RunJobSpecs> {
  const approvalRules = await effectiveRules(app, row.userId, repositoryId);
  const acpAgent = row.acpAgent ? await acpAgentSpecByName(app, row.acpAgent) : null;
  const mcpServers = await mcpServerSpecsOf(app, repositoryId);
  const environment = await environmentSpecOf(app, repositoryId);
  const stackedOn = await stackLinksFor(app, row);
  return { approvalRules, acpAgent, mcpServers, environment, stackedOn };
}

/**
 * The run job for a run record: everything the job process needs, so it never reads the
 * database. Parsed against the queue's schema, since a row's text columns are wider than it.
 * A run of executor `acp` whose agent was removed since cannot have a job: a 409 saying so.
 */
export function runJobPayloadFor(
  row: RunFields,
  repo: RepoFields,
  extra: RunJobSpecs & { feedback?: RunJobPayload["feedback"] },
): RunJobPayload {
  if (row.executor === "acp" && !extra.acpAgent) {
    throw new AppError("conflict", `the run's ACP agent "${row.acpAgent ?? "(none)"}" is no longer registered`);
  }
  return runJobPayload.parse({
    kind: "run",
    runId: row.id,
    userId: row.userId,
    // Its spend counts in its team's and user's limits of the month it was created in.
    spending: { teamId: row.teamId, month: monthOf(row.createdAt) },
    repo: { name: repo.name, url: repo.url, credentialEnv: repo.credentialEnv, networkHosts: repo.networkHosts },
    baseBranch: row.baseBranch,
    branch: row.branch,
    executor: row.executor,
    ...(row.executor === "acp" && extra.acpAgent ? { acpAgent: extra.acpAgent } : {}),
    mcpServers: extra.mcpServers,
    environment: extra.environment,
    command: row.command,
    prompt: row.prompt,
    approvalMode: row.approvalMode,
    model: row.model,
    maxTurns: row.maxTurns,
    budgetUsd: row.budgetUsd,
    timeoutSec: row.timeoutSec,
    inputTimeoutSec: row.inputTimeoutSec,
    approvalRules: extra.approvalRules,
    ...(extra.stackedOn ? { stackedOn: extra.stackedOn } : {}),
    ...(extra.feedback ? { feedback: extra.feedback } : {}),
  });
}
