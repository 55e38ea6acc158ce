import type { Config } from "./config";
import { executors, type ExecutorName } from "./queue";
import type { WorkerAdvert } from "./workerDirectory";

export type ExecutorInfo = {
  name: ExecutorName;
  label: string;
  description: string;
  available: boolean;
  /** Why it cannot be chosen, in words a user can act on. */
  unavailableReason?: string;
  /** Shown beside an available executor (e.g. no job process is running right now). */
  note?: string;
};

const described: Record<ExecutorName, { label: string; description: string }> = {
  cli: { label: "Shell command", description: "Runs a bash command in the workspace and commits what it changes." },
  agent: { label: "AgentDesk agent", description: "Our tool-use loop on the Anthropic API." },
  "claude-code": { label: "Claude Code", description: "The Claude Agent SDK, its permission prompts routed to approvals." },
  acp: { label: "ACP agent", description: "An agent an admin registered (Goose, Gemini CLI, Claude via ACP, Codex, …), spoken to over the Agent Client Protocol." },
};

// `npm run demo`: the agent talks to a local scripted fake, and says so.
const demoAgent = {
  label: "AgentDesk agent (demo model)",
  description: "Our tool-use loop, answered by the local demo model: a scripted fake, not Claude.",
};

/** Why a job process cannot run the agent executor, or null when it can. Said by the job process itself. */
export function agentUnavailableReason(config: Pick<Config, "anthropicApiKey">): string | null {
  return config.anthropicApiKey ? null : "ANTHROPIC_API_KEY is not set on the job process";
}

const NO_WORKER = "no job process is running; start one with `npm run worker` (npm start runs one)";

/**
 * Which executors a run may use, from what the live job processes advertise (lib/workerDirectory.ts):
 * shown in the form and enforced by the API with the same reasons. A shell command may always
 * be queued; it waits for a job process if none is running.
 */
export function executorCatalog(workers: readonly WorkerAdvert[]): ExecutorInfo[] {
  return executors.map((name) => {
    const offers = workers.flatMap((w) => w.executors.filter((e) => e.name === name));
    const demo = name === "agent" && offers.some((e) => e.available && e.demo);
    const info = { name, ...(demo ? demoAgent : described[name]) };
    if (name === "cli") {
      return workers.length === 0 ? { ...info, available: true, note: "No job process is running right now: the run waits in the queue." } : { ...info, available: true };
    }
    if (offers.some((e) => e.available)) return { ...info, available: true };
    const reason = workers.length === 0 ? NO_WORKER : (offers.find((e) => e.reason)?.reason ?? `no job process offers ${info.label}`);
    return { ...info, available: false, unavailableReason: `${info.label} is not available: ${reason}` };
  });
}
