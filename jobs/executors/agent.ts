import Anthropic from "@anthropic-ai/sdk";
import type { Config } from "../../lib/config";
import { agentUnavailableReason } from "../../lib/executors";
import { DEFAULT_LOOP_REPEATS } from "../agent/limits";
import { runAgentLoop } from "../agent/loop";
import { priceFor } from "../agent/pricing";
import { startMcpServers } from "../mcp/toolbox";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "../agent/retry";
import type { Executor } from "./types";

export type AgentExecutorOptions = {
  retry?: RetryPolicy;
  /** How often streamed text is sent to the feed. */
  textFlushMs?: number;
  loopRepeats?: number;
};

/** `agent`: our own tool-use loop on the Anthropic Messages API (jobs/agent/loop.ts). */
export function createAgentExecutor(
  config: Pick<Config, "anthropicApiKey" | "anthropicBaseUrl" | "agentModel" | "agentMaxTokens" | "agentBudgetUsd" | "agentPrices">,
  options: AgentExecutorOptions = {},
): Executor {
  return {
    name: "agent",
    unavailableReason: () => agentUnavailableReason(config),
    run: async (ctx) => {
      const client = new Anthropic({
        apiKey: config.anthropicApiKey,
        baseURL: config.anthropicBaseUrl,
        // Our retries, not the SDK's: each one is shown in the run's feed.
        maxRetries: 0,
      });
      const model = ctx.payload.model ?? config.agentModel;
      // The repository's MCP servers live as long as this executor's run (and die with a cancel).
      const mcp = await startMcpServers(ctx.payload.mcpServers, {
        sandbox: ctx.sandbox,
        emit: ctx.emit,
        signal: ctx.signal,
        secrets: ctx.secrets,
      });
      try {
        return await runAgentLoop(
          {
            client,
            model,
            maxTokens: config.agentMaxTokens,
            limits: {
              maxTurns: ctx.payload.maxTurns,
              budgetUsd: ctx.payload.budgetUsd ?? config.agentBudgetUsd,
              loopRepeats: options.loopRepeats ?? DEFAULT_LOOP_REPEATS,
            },
            price: priceFor(model, config.agentPrices),
            retry: options.retry ?? DEFAULT_RETRY_POLICY,
            textFlushMs: options.textFlushMs ?? 50,
          },
          { ...ctx, mcp },
        );
      } finally {
        await mcp.close();
      }
    },
  };
}
