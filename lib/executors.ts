import type { Config } from "./config";
import { executors, type ExecutorName } from "./queue";

export type ExecutorInfo = {
  name: ExecutorName;
  label: string;
  description: string;
  available: boolean;
  /** Why it cannot be chosen, in words a user can act on. */
  unavailableReason?: string;
};

const described: Record<ExecutorName, { label: string; description: string }> = {
  cli: { label: "Shell command", description: "Runs a bash command in the workspace and commits what it changes." },
  agent: { label: "AgentDesk agent", description: "Our tool-use loop on the Anthropic API." },
  "claude-code": { label: "Claude Code", description: "The Claude Agent SDK, its permission prompts routed to approvals." },
  goose: { label: "Goose", description: "The Goose CLI, when installed on the job machines." },
};

/**
 * Which executors a run may use, shown in the form and enforced by the API with the same
 * reasons. Only `cli` ships in this version; the others arrive with their own issues.
 */
export function executorCatalog(_config: Pick<Config, "anthropicApiKey">): ExecutorInfo[] {
  return executors.map((name) => {
    const info = { name, ...described[name] };
    if (name === "cli") return { ...info, available: true };
    return { ...info, available: false, unavailableReason: `${info.label} is not available in this version of AgentDesk yet` };
  });
}
