import type { CheckPhase } from "@/lib/contracts/runChecks";
import type { RunEventOf } from "@/lib/events";
import { stepDuration } from "./EnvironmentStep";
import { FeedRow, RowTitle } from "./FeedRow";
import type { FeedItem } from "./feedModel";
import { icons } from "./icons";
import { StepOutcome } from "./StepOutcome";
import { Terminal, type TerminalChunk } from "./Terminal";

type CheckItem = Extract<FeedItem, { kind: "check" }>;

/** What each phase of the repository's hooks is, as the feed names it. */
export const checkPhaseNames: Record<CheckPhase, string> = { pre: "Pre-run check", post: "Post-run check", error: "Error hook" };

/** "Post-run check “tests” failed (2.1 s)", or what it is doing while it runs. */
export function checkTitle(phase: CheckPhase, name: string, finished: RunEventOf<"check.finished"> | undefined): string {
  const what = `${checkPhaseNames[phase]} “${name}”`;
  if (!finished) return `${what} running`;
  const how = finished.timedOut ? "timed out" : finished.ok ? "passed" : "failed";
  return `${what} ${how} (${stepDuration(finished.durationMs)})`;
}

/**
 * A repository check (a hook) as a step of the feed: its command, its output as it streams,
 * and how it ended. Open while it runs and when it failed; a passed check folds away.
 */
export function CheckStep({ item }: { item: CheckItem }) {
  const { started, finished } = item;
  const chunks: TerminalChunk[] = item.output.map((log, i) => ({ key: String(i), text: log.message, stream: log.stream, level: log.level }));
  const failed = finished !== undefined && !finished.ok;
  // An error hook's failure changes nothing: it reads as a warning, not as the run's failure.
  const failTone = started.phase === "error" ? "warning" : "danger";
  return (
    <FeedRow icon={icons.check} tone={finished ? (finished.ok ? "success" : failTone) : "info"} at={started.at} type="check">
      <details
        open={!finished || failed}
        data-check-step={started.name}
        data-check-phase={started.phase}
        className={failed ? "rounded-lg border border-red-900/70 bg-red-950/30 p-3" : "rounded-lg border border-zinc-800 bg-zinc-900/70 p-3"}
      >
        <summary className="flex cursor-pointer list-none flex-wrap items-center justify-between gap-2">
          <RowTitle detail={started.source === "repository" ? "from the repository's .agentdesk/environment.json" : undefined}>
            {checkTitle(started.phase, started.name, finished)}
          </RowTitle>
          <StepOutcome done={finished} labels={{ ok: "passed", failed: finished?.timedOut ? "timed out" : "failed" }} marker="data-check-outcome" />
        </summary>
        <div className="mt-2 space-y-2">
          <pre className="overflow-x-auto font-mono text-xs whitespace-pre-wrap text-zinc-400">$ {started.command}</pre>
          {failed && finished.error && <p className="font-mono text-xs whitespace-pre-wrap text-red-300">{finished.error}</p>}
          {(chunks.length > 0 || !finished) && <Terminal chunks={chunks} callId={item.checkId} />}
          {finished && chunks.length === 0 && <p className="text-xs text-zinc-500">No output.</p>}
        </div>
      </details>
    </FeedRow>
  );
}
