import type { EnvironmentCacheOutcome, RunEventOf } from "@/lib/events";
import { formatBytes } from "@/lib/byteSize";
import { countOf } from "@/lib/plural";
import { formatDuration } from "../format";
import { FeedRow, RowTitle } from "./FeedRow";
import type { FeedItem } from "./feedModel";
import { icons } from "./icons";
import { StepOutcome } from "./StepOutcome";
import { Terminal, type TerminalChunk } from "./Terminal";

type EnvironmentItem = Extract<FeedItem, { kind: "environment" }>;
type Finished = RunEventOf<"environment.finished">;

const sources = {
  admin: "from the repository's settings",
  repository: "from the repository's .agentdesk/environment.json",
  "admin and repository": "from the repository's settings and its .agentdesk/environment.json",
} as const;

/** "1.2 s" below ten seconds (what a cached environment takes), else the feed's usual durations. */
export function stepDuration(ms: number): string {
  return ms >= 1000 && ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : formatDuration(ms);
}

/** The step's headline: how it ended, or (from what the cache offered) what it is doing. */
export function environmentTitle(finished: Finished | undefined, offered: EnvironmentCacheOutcome = "miss"): string {
  if (!finished) {
    return offered === "hit" ? "Restoring the environment from the cache" : offered === "maintenance" ? "Updating the cached environment" : "Setting up the environment";
  }
  const time = ` (${stepDuration(finished.durationMs)})`;
  if (!finished.ok) return `Environment setup failed${time}`;
  if (finished.cache === "hit") return `Environment restored from cache${time}`;
  if (finished.cache === "maintenance") return `Environment restored from cache and updated${time}`;
  return `Environment set up${time}`;
}

function Outcome({ finished }: { finished: Finished | undefined }) {
  return (
    <StepOutcome done={finished} labels={{ ok: "ready", failed: "failed" }} marker="data-environment-outcome">
      {finished?.ok && finished.bytes !== undefined && (
        <span className="text-zinc-400">
          {formatBytes(finished.bytes)}
          {finished.files !== undefined && ` · ${countOf(finished.files, "file")}`}
        </span>
      )}
    </StepOutcome>
  );
}

/**
 * The environment step: collapsible, open while it runs and when it failed (the output says
 * why), closed once it is ready. Its terminal holds the script's output and the step's notes
 * (restored from the cache, cached for the next runs, warnings).
 */
export function EnvironmentStep({ item }: { item: EnvironmentItem }) {
  const { started, finished } = item;
  const chunks: TerminalChunk[] = item.output.map((log, i) => ({ key: String(i), text: log.message, stream: log.stream, level: log.level }));
  const failed = finished !== undefined && !finished.ok;
  return (
    <FeedRow icon={icons.box} tone={finished ? (finished.ok ? "success" : "danger") : "info"} at={started.at} type="environment">
      <details
        open={!finished || failed}
        data-environment-step={item.stepId}
        className={failed ? "rounded-lg border border-red-900/70 bg-red-950/30 p-3" : "rounded-lg border border-zinc-800 bg-zinc-900/70 p-3"}
      >
        <summary className="flex cursor-pointer list-none flex-wrap items-center justify-between gap-2">
          <RowTitle detail={sources[started.source]}>{environmentTitle(finished, started.cache)}</RowTitle>
          <Outcome finished={finished} />
        </summary>
        <div className="mt-2 space-y-2">
          {failed && finished.error && <p className="font-mono text-xs whitespace-pre-wrap text-red-300">{finished.error}</p>}
          {(chunks.length > 0 || !finished) && <Terminal chunks={chunks} callId={item.stepId} />}
        </div>
      </details>
    </FeedRow>
  );
}
