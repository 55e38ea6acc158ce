import { formatDuration } from "../format";
import { FileChangeDiff } from "./DiffBox";
import { FeedRow } from "./FeedRow";
import type { FeedItem } from "./feedModel";
import { icons } from "./icons";
import { StepOutcome } from "./StepOutcome";
import { Terminal } from "./Terminal";
import { toolOutput } from "./toolOutput";
import { toolSummary } from "./readableInput";
import { ToolInputView } from "./ToolInput";

type ToolItem = Extract<FeedItem, { kind: "tool" }>;

function Outcome({ item }: { item: ToolItem }) {
  const done = item.finished;
  return (
    <StepOutcome done={done} labels={{ ok: "ok", failed: "error" }} marker="data-tool-outcome">
      {done && <span className="text-zinc-400">{formatDuration(done.durationMs)}</span>}
    </StepOutcome>
  );
}

/**
 * A tool call as one line (the tool, what it was asked, how it ended) that opens onto its
 * input and output. Open while it runs and when it failed; a finished step folds away.
 */
export function ToolStep({ item }: { item: ToolItem }) {
  const { started, finished } = item;
  const { chunks, cut } = toolOutput(item);
  const showTerminal = chunks.length > 0 || !finished;
  const summary = started ? toolSummary(started.input) : "";
  return (
    <FeedRow icon={icons.terminal} tone={finished ? (finished.ok ? "success" : "danger") : "info"} at={started?.at ?? item.output[0]?.at ?? finished?.at ?? ""} type="tool">
      <details data-call-id={item.callId} open={!finished || !finished.ok} className="group/step rounded-lg border border-zinc-800 bg-zinc-900/70">
        <summary className="flex cursor-pointer list-none items-center gap-2 px-3 py-2 [&::-webkit-details-marker]:hidden" data-step-summary>
          <span aria-hidden="true" className="text-xs text-zinc-500 transition-transform group-open/step:rotate-90">▸</span>
          <span className="min-w-0 flex-1 truncate text-sm">
            <span className="font-mono font-medium text-zinc-100">{started?.tool ?? "tool"}</span>
            {summary && <span className="ml-2 font-mono text-xs text-zinc-400">{summary}</span>}
            {finished?.fileChange && (
              <span className="ml-2 font-mono text-xs">
                <span className="text-emerald-400">+{finished.fileChange.additions}</span> <span className="text-red-400">−{finished.fileChange.deletions}</span>
              </span>
            )}
          </span>
          <span className="shrink-0">
            <Outcome item={item} />
          </span>
        </summary>
        <div className="space-y-2 border-t border-zinc-800 px-3 py-3">
          {/* A write's diff says what its input said, and what it changed. */}
          {finished?.fileChange ? <FileChangeDiff change={finished.fileChange} /> : started && <ToolInputView input={started.input} />}
          {showTerminal && <Terminal chunks={chunks} callId={item.callId} />}
          {cut && <p className="text-xs text-zinc-500">The output was cut: only part of it was kept.</p>}
        </div>
      </details>
    </FeedRow>
  );
}
