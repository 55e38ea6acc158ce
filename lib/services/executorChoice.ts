import { fieldError } from "../errors";
import { acpAgentCatalog, executorCatalog, type AcpAgentChoice, type ExecutorInfo } from "../executors";
import type { ExecutorName } from "../queue";
import type { App } from "../server/app";
import { liveWorkers, type WorkerAdvert } from "../workerDirectory";
import { acpAgentNames } from "./acpAgents";

/**
 * What a run may use now: the executors, and the registered ACP agents, with whether a live job
 * process offers each (its adverts, lib/workerDirectory.ts). The New run and schedule forms show
 * it; creating a run or a schedule is refused by the same reasons (assertExecutorOffered).
 */
export type ExecutorChoices = { executors: ExecutorInfo[]; acpAgents: AcpAgentChoice[] };

export async function executorChoices(app: Pick<App, "db" | "redis" | "config">, workers?: readonly WorkerAdvert[]): Promise<ExecutorChoices> {
  const live = workers ?? (await liveWorkers(app.redis, app.config.redisPrefix));
  const acpAgents = acpAgentCatalog(live, await acpAgentNames(app));
  return { executors: executorCatalog(live, acpAgents), acpAgents };
}

/**
 * Refuses an executor no live job process offers (422 naming `executor`), and for `acp` an
 * agent that is not registered (400 naming `acpAgent`) or that no live job process can start
 * (422 naming `acpAgent`). `later` is said after the reason (a schedule can be saved later).
 */
export async function assertExecutorOffered(
  app: Pick<App, "db" | "redis" | "config">,
  input: { executor: ExecutorName; acpAgent?: string },
  options: { workers?: readonly WorkerAdvert[]; later?: string } = {},
): Promise<void> {
  const { executors, acpAgents } = await executorChoices(app, options.workers);
  const said = (reason: string) => (options.later ? `${reason}; ${options.later}` : reason);
  if (input.executor === "acp" && input.acpAgent !== undefined) {
    const agent = acpAgents.find((a) => a.name === input.acpAgent);
    if (!agent) {
      const known = acpAgents.map((a) => a.name).join(", ");
      throw fieldError("acpAgent", `no ACP agent named "${input.acpAgent}" is registered (registered: ${known || "none"})`);
    }
    // An agent some job process can start means that process runs the acp executor too.
    if (!agent.available) throw fieldError("acpAgent", said(agent.unavailableReason!), "unprocessable");
    return;
  }
  const executor = executors.find((e) => e.name === input.executor)!;
  if (!executor.available) throw fieldError("executor", said(executor.unavailableReason!), "unprocessable");
}
