import type { Config } from "../../lib/config";
import { executors, type ExecutorName } from "../../lib/queue";
import { createAcpExecutor } from "./acp";
import { createAgentExecutor } from "./agent";
import { createClaudeCodeExecutor } from "./claudeCode";
import { createCliExecutor } from "./cli";
import type { Executor } from "./types";

/**
 * The executors this job process has. Adding one (agent, claude-code, goose) is one entry
 * here; the run pipeline does not change.
 */
export type ExecutorRegistry = ReadonlyMap<ExecutorName, Executor>;

export function defaultExecutors(config: Config): ExecutorRegistry {
  const list: Executor[] = [createCliExecutor(), createAgentExecutor(config), createClaudeCodeExecutor(config), createAcpExecutor(config)];
  return new Map(list.map((e) => [e.name, e]));
}

/** The executor for a run, or why this job process cannot run it. */
export function resolveExecutor(
  registry: ExecutorRegistry,
  name: ExecutorName,
): { executor: Executor } | { error: string } {
  const executor = registry.get(name);
  if (!executor) {
    const available = executors.filter((n) => registry.get(n)?.unavailableReason() === null);
    return {
      error: `executor "${name}" is not available in this job process (available: ${available.join(", ") || "none"})`,
    };
  }
  const reason = executor.unavailableReason();
  if (reason !== null) return { error: `executor "${name}" is not available: ${reason}` };
  return { executor };
}
