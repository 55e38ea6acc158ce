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

/** A registered ACP agent as a run (or schedule) may pick it: can some live job process start it? */
export type AcpAgentChoice = {
  name: string;
  description: string;
  available: boolean;
  /** Why no job process can start it, in words an admin can act on. */
  unavailableReason?: string;
  /** The live job processes that can start it. */
  offeredBy: string[];
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

// Job processes read the registry at each advert tick (jobs/advertise.ts), a few seconds apart.
const NOT_CHECKED_YET = "no job process has checked it yet (they look at the registry every few seconds)";

/**
 * Per registered ACP agent (from the database, so one registered a moment ago is listed too),
 * whether a live job process advertises that it can start it, else the first reason one gives.
 */
export function acpAgentCatalog(
  workers: readonly WorkerAdvert[],
  registered: readonly { name: string; description: string }[],
): AcpAgentChoice[] {
  return registered.map(({ name, description }) => {
    const offers = workers.flatMap((w) => (w.acpAgents ?? []).filter((a) => a.name === name).map((a) => ({ ...a, worker: w.name })));
    const offeredBy = offers.filter((o) => o.available).map((o) => o.worker);
    if (offeredBy.length > 0) return { name, description, available: true, offeredBy };
    const reason = workers.length === 0 ? NO_WORKER : (offers.find((o) => o.reason)?.reason ?? NOT_CHECKED_YET);
    return { name, description, available: false, unavailableReason: `ACP agent ${name} is not available: ${reason}`, offeredBy };
  });
}

/** Why the acp executor cannot be chosen although job processes offer it: no agent they can start. */
function noAcpAgentReason(agents: readonly AcpAgentChoice[]): string {
  if (agents.length === 0) return "no ACP agent is registered; an admin adds them under Admin → ACP agents";
  return `none of the registered ACP agents can start: ${agents.map((a) => a.unavailableReason).join("; ")}`;
}

/**
 * Which executors a run may use, from what the live job processes advertise (lib/workerDirectory.ts):
 * shown in the form and enforced by the API with the same reasons. A shell command may always
 * be queued; it waits for a job process if none is running. `acp` needs, besides a job process
 * offering the executor, one ACP agent it can start (`acpAgents`, from acpAgentCatalog).
 */
export function executorCatalog(workers: readonly WorkerAdvert[], acpAgents: readonly AcpAgentChoice[] = []): ExecutorInfo[] {
  return executors.map((name) => {
    const offers = workers.flatMap((w) => w.executors.filter((e) => e.name === name));
    const demo = name === "agent" && offers.some((e) => e.available && e.demo);
    const info = { name, ...(demo ? demoAgent : described[name]) };
    if (name === "cli") {
      return workers.length === 0 ? { ...info, available: true, note: "No job process is running right now: the run waits in the queue." } : { ...info, available: true };
    }
    if (offers.some((e) => e.available)) {
      if (name !== "acp" || acpAgents.some((a) => a.available)) return { ...info, available: true };
      return { ...info, available: false, unavailableReason: `${info.label} is not available: ${noAcpAgentReason(acpAgents)}` };
    }
    const reason = workers.length === 0 ? NO_WORKER : (offers.find((e) => e.reason)?.reason ?? `no job process offers ${info.label}`);
    return { ...info, available: false, unavailableReason: `${info.label} is not available: ${reason}` };
  });
}
