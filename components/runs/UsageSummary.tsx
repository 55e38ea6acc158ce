import { formatCost, formatTokens } from "../format";

type Usage = { inputTokens: number; outputTokens: number; cacheReadTokens: number; costUsd: number };

export const hasUsage = (u: Usage) => u.inputTokens + u.outputTokens + u.cacheReadTokens > 0 || u.costUsd > 0;

/** Tokens in/out and cost; nothing at all when the run has used none (a shell task, say). */
export function UsageSummary({ usage, detailed = false }: { usage: Usage; detailed?: boolean }) {
  if (!hasUsage(usage)) return null;
  return (
    <span className="whitespace-nowrap font-mono text-xs text-zinc-400" title="input / output tokens · cost">
      {formatTokens(usage.inputTokens)} in · {formatTokens(usage.outputTokens)} out
      {detailed && usage.cacheReadTokens > 0 && <> · {formatTokens(usage.cacheReadTokens)} cached</>} ·{" "}
      <span className="text-zinc-300">{formatCost(usage.costUsd)}</span>
    </span>
  );
}
