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

// `npm run demo`: the agent talks to a local scripted fake, and says so.
const demoAgent = {
  label: "AgentDesk agent (demo model)",
  description: "Our tool-use loop, answered by the local demo model: a scripted fake, not Claude.",
};

/** Why the job process cannot run the agent executor, or null when it can (same words in both processes). */
export function agentUnavailableReason(config: Pick<Config, "anthropicApiKey">): string | null {
  return config.anthropicApiKey ? null : "ANTHROPIC_API_KEY is not set on this job process";
}

/**
 * Which executors a run may use, shown in the form and enforced by the API with the same
 * reasons. `claude-code` and `goose` arrive with their own issues.
 */
export function executorCatalog(config: Pick<Config, "anthropicApiKey" | "agentDemo">): ExecutorInfo[] {
  return executors.map((name) => {
    const info = { name, ...(name === "agent" && config.agentDemo ? demoAgent : described[name]) };
    if (name === "cli") return { ...info, available: true };
    if (name === "agent") {
      const reason = agentUnavailableReason(config);
      return reason === null ? { ...info, available: true } : { ...info, available: false, unavailableReason: reason };
    }
    return { ...info, available: false, unavailableReason: `${info.label} is not available in this version of AgentDesk yet` };
  });
}
