import { countOf } from "../../lib/plural";
import { PermanentRunError, errorMessage } from "../errors";
import type { Logger } from "../logger";
import { maskSecrets } from "../secrets";
import { preCheckFailure, runCheckPhase, type CheckRunContext } from "./checks";

/**
 * Where the pipeline (jobs/runJob.ts) runs each phase of the repository's checks, and what
 * their results do to the run. Decided here, once:
 * - pre: once per round of work, before the executor. A delivery that resumes from a
 *   checkpoint does not run them again (the executor already ran after they passed; running
 *   them twice would show two results for one start). A delivery re-run from scratch (no
 *   checkpoint yet) runs them again: it is a new start. A failure fails the run, naming the
 *   check, its exit code and the end of its output.
 * - post: after the executor, on the committed changes (what the reviewer would push), only
 *   when there are changes to review. A failure is flagged at review; the run is not failed.
 * - error: when the run fails (not when cancelled or handed to another job process), before
 *   its `run.failed`; nothing they do changes the run's outcome.
 */

export async function runPreChecks(ctx: CheckRunContext, o: { signal: AbortSignal; resumed: boolean; headSha: string }): Promise<void> {
  if (ctx.checks.pre.length === 0) return;
  if (o.resumed) {
    await ctx.emit({ type: "log", level: "info", message: "Pre-run checks passed before this run was interrupted; not run again on resume" });
    return;
  }
  const results = await runCheckPhase(ctx, "pre", { signal: o.signal, headSha: o.headSha });
  const failed = results.find((r) => !r.ok);
  if (failed) throw new PermanentRunError(preCheckFailure(failed));
}

export async function runPostChecks(ctx: CheckRunContext, o: { signal: AbortSignal; headSha: string }): Promise<void> {
  if (ctx.checks.post.length === 0) return;
  const results = await runCheckPhase(ctx, "post", { signal: o.signal, headSha: o.headSha });
  const failed = results.filter((r) => !r.ok);
  if (failed.length > 0) {
    await ctx.emit({
      type: "log",
      level: "warn",
      message: `${countOf(failed.length, "post-run check")} failed (${failed.map((r) => r.name).join(", ")}): flagged for the review`,
    });
  }
}

/**
 * The error hooks of a failed run, given its error as AGENTDESK_RUN_ERROR (masked). They run
 * on their own timeouts, not the run's signal (a run that timed out still gets them). Any
 * failure of theirs, even to be reported, is logged and ends there.
 */
export async function runErrorHooks(ctx: CheckRunContext, runError: string, logger: Logger): Promise<void> {
  if (ctx.checks.error.length === 0) return;
  try {
    await runCheckPhase(ctx, "error", {
      signal: new AbortController().signal,
      variables: { AGENTDESK_RUN_ERROR: maskSecrets(runError, ctx.secrets) },
    });
  } catch (e) {
    logger.warn("the repository's error hooks could not run to the end", { error: errorMessage(e) });
  }
}
