import { countOf } from "@/lib/plural";
import { formatCost, formatTokens } from "../format";

type Usage = { inputTokens: number; outputTokens: number; cacheReadTokens: number; costUsd: number };

export const hasUsage = (u: Usage) => u.inputTokens + u.outputTokens + u.cacheReadTokens > 0 || u.costUsd > 0;

/**
 * Tokens in/out and cost, and the model turns when known; nothing at all when the run has
 * used none (a shell task, say).
 */
export function UsageSummary({ usage, detailed = false, turns = null }: { usage: Usage; detailed?: boolean; turns?: number | null }) {
  if (!hasUsage(usage) && turns === null) return null;
  return (
    <span className="font-mono text-xs text-zinc-400" title={`input / output tokens · cost${turns !== null ? " · model turns" : ""}`}>
      <span className="whitespace-nowrap">{formatTokens(usage.inputTokens)} in · {formatTokens(usage.outputTokens)} out</span>
      {detailed && usage.cacheReadTokens > 0 && <span className="whitespace-nowrap"> · {formatTokens(usage.cacheReadTokens)} cached</span>}
      <span className="whitespace-nowrap">
        {" "}· <span className="text-zinc-300">{formatCost(usage.costUsd)}</span>
      </span>
      {turns !== null && <span className="whitespace-nowrap" data-usage-turns={turns}> · {countOf(turns, "turn")}</span>}
    </span>
  );
}
