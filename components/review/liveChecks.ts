import type { RunCheck } from "@/lib/contracts/runChecks";
import type { FeedItem } from "../feed/feedModel";

/**
 * The review's checks as the live feed has them (the run page follows events, so a run that
 * reaches review while the page is open has no server-read checks): the post-run checks on the
 * reviewed commit, the latest of each name, as `reviewedChecks` (lib/services/runChecks.ts)
 * takes them from the database.
 */
export function liveReviewChecks(items: readonly FeedItem[], headSha: string): RunCheck[] {
  const latest = new Map<string, RunCheck>();
  for (const item of items) {
    if (item.kind !== "check" || item.started.phase !== "post" || item.started.headSha !== headSha) continue;
    const { started, finished } = item;
    latest.set(started.name, {
      checkId: started.checkId,
      phase: started.phase,
      name: started.name,
      command: started.command,
      source: started.source,
      status: finished ? (finished.ok ? "passed" : "failed") : "running",
      exitCode: finished?.exitCode ?? null,
      timedOut: finished?.timedOut ?? false,
      durationMs: finished?.durationMs ?? null,
      output: finished?.output ?? "",
      truncated: finished?.truncated ?? false,
      headSha: started.headSha ?? null,
      error: finished?.error ?? null,
      startedAt: started.at,
      finishedAt: finished?.at ?? null,
    });
  }
  return [...latest.values()];
}
