import type { Config } from "../../../lib/config";
import { agentUnavailableReason } from "../../../lib/executors";
import { DEFAULT_LOOP_REPEATS } from "../../agent/limits";
import { priceFor } from "../../agent/pricing";
import type { Executor } from "../types";
import { claudeCodeBinary } from "./binary";
import { runClaudeCode } from "./run";

export type ClaudeCodeExecutorOptions = {
  /** Retries of a failed model request by Claude Code itself. */
  maxRetries?: number;
  /** How often streamed text is sent to the feed. */
  textFlushMs?: number;
};

const ANTHROPIC_API = "https://api.anthropic.com";

/**
 * `claude-code`: the Claude Code CLI through the Claude Agent SDK, in the run's sandbox, every
 * tool call under the run's approval policy (jobs/executors/claudeCode/run.ts). It needs the CLI
 * binary (an optional dependency of the SDK) and the model key on the job process, which only
 * the sandbox's model gateway uses.
 */
export function createClaudeCodeExecutor(
  config: Pick<Config, "anthropicApiKey" | "anthropicBaseUrl" | "agentModel" | "agentBudgetUsd" | "agentPrices" | "agentDemo">,
  options: ClaudeCodeExecutorOptions = {},
): Executor {
  return {
    name: "claude-code",
    unavailableReason: () => {
      // `npm run demo`'s scripted model plays only our own agent's tools, not Claude Code's.
      if (config.agentDemo) return "the demo model plays only the AgentDesk agent; set ANTHROPIC_API_KEY (without AGENT_DEMO) to run Claude Code";
      const binary = claudeCodeBinary();
      return "problem" in binary ? binary.problem : agentUnavailableReason(config);
    },
    run: async (ctx) => {
      const binary = claudeCodeBinary();
      if ("problem" in binary) return { ok: false, error: binary.problem };
      if (!config.anthropicApiKey) return { ok: false, error: "ANTHROPIC_API_KEY is not set on the job process" };
      const model = ctx.payload.model ?? config.agentModel;
      const price = priceFor(model, config.agentPrices);
      if (price.note) await ctx.emit({ type: "log", level: "info", message: price.note });
      return runClaudeCode(
        {
          binary: binary.binary,
          model,
          price: price.price,
          limits: { maxTurns: ctx.payload.maxTurns, budgetUsd: ctx.payload.budgetUsd ?? config.agentBudgetUsd, loopRepeats: DEFAULT_LOOP_REPEATS },
          upstreamUrl: config.anthropicBaseUrl ?? ANTHROPIC_API,
          apiKey: config.anthropicApiKey,
          maxRetries: options.maxRetries ?? 4,
          textFlushMs: options.textFlushMs ?? 50,
          env: process.env,
        },
        ctx,
      );
    },
  };
}
