import type { Config } from "../../../lib/config";
import { findBwrap } from "../../sandbox/sandbox";
import { sandboxSettings, type SandboxSettings } from "../../sandbox/spec";
import type { Executor } from "../types";
import { runAcpAgent } from "./runAgent";

export type AcpExecutorOptions = {
  /** The job process's environment (the agents' variables are read from it); process.env by default. */
  env?: Record<string, string | undefined>;
  settings?: SandboxSettings;
  /** How often streamed text is sent to the feed. */
  textFlushMs?: number;
  /** After `session/cancel`, how long an agent has to end its turn before it is stopped. */
  cancelGraceMs?: number;
};

/**
 * `acp`: an agent an admin registered (Goose, Gemini CLI, claude-agent-acp, codex-acp, …),
 * spoken to over the Agent Client Protocol, in the run's sandbox, under the run's one
 * approval policy. Which agent is the run's (payload.acpAgent); whether this job process can
 * start that one is `acpAgentAvailability`.
 */
export function createAcpExecutor(config: Pick<Config, "anthropicApiKey" | "anthropicBaseUrl" | "sandbox" | "agentBudgetUsd">, options: AcpExecutorOptions = {}): Executor {
  return {
    name: "acp",
    // Every agent runs in the sandbox; without one (and without SANDBOX=off) none can start.
    unavailableReason: () => (config.sandbox === "on" && !findBwrap() ? "bwrap (bubblewrap) is not on PATH, and ACP agents run only in the sandbox" : null),
    run: (ctx) =>
      runAcpAgent(ctx, {
        env: options.env ?? process.env,
        modelAccess: config.anthropicApiKey
          ? { apiKey: config.anthropicApiKey, upstreamUrl: config.anthropicBaseUrl ?? "https://api.anthropic.com" }
          : undefined,
        settings: options.settings ?? sandboxSettings(),
        textFlushMs: options.textFlushMs ?? 50,
        cancelGraceMs: options.cancelGraceMs ?? 5_000,
        defaultBudgetUsd: config.agentBudgetUsd,
      }),
  };
}
