import { Fragment } from "react";
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
  const parts: { key: string; text: React.ReactNode }[] = [
    { key: "tokens", text: `${formatTokens(usage.inputTokens)} in · ${formatTokens(usage.outputTokens)} out` },
    ...(detailed && usage.cacheReadTokens > 0 ? [{ key: "cached", text: `${formatTokens(usage.cacheReadTokens)} cached` }] : []),
    { key: "cost", text: <span className="text-zinc-300">{formatCost(usage.costUsd)}</span> },
    ...(turns !== null ? [{ key: "turns", text: <span data-usage-turns={turns}>{countOf(turns, "turn")}</span> }] : []),
  ];
  return (
    <span className="font-mono text-xs text-zinc-400" title={`input / output tokens · cost${turns !== null ? " · model turns" : ""}`}>
      {/* Each part stays whole; a narrow screen wraps between them (the space outside a part is where it may). */}
      {parts.map((part, i) => (
        <Fragment key={part.key}>
          {i > 0 && " "}
          <span className="whitespace-nowrap">
            {i > 0 && "· "}
            {part.text}
          </span>
        </Fragment>
      ))}
    </span>
  );
}
