import type { EventLog } from "../../lib/eventLog";
import { PermanentRunError } from "../errors";
import { loadRunBundle, restoreBranch } from "../git/bundle";
import { hasCommit } from "../git/runRepo";

/**
 * Makes sure the run's repository holds the decided commit. The run may have run on another
 * machine: then its branch comes from the bundle kept in Redis. Call with the mirror fetched
 * (the bundle needs the base commit, which the run's repository borrows from it).
 */
export async function ensureDecidedCommit(opts: { log: EventLog; runId: string; gitDir: string; headSha: string }): Promise<"repository" | "bundle"> {
  const { log, runId, gitDir, headSha } = opts;
  if (await hasCommit(gitDir, headSha)) return "repository";
  const saved = await loadRunBundle(log, runId);
  if (!saved) {
    throw new PermanentRunError(
      `commit ${headSha.slice(0, 12)} is not in the run's repository on this job process and no bundle of the run's branch is kept; it cannot be pushed from here`,
    );
  }
  if (saved.meta.headSha !== headSha) {
    throw new PermanentRunError(
      `the kept bundle of the run's branch is at ${saved.meta.headSha.slice(0, 12)}, not at the reviewed commit ${headSha.slice(0, 12)}`,
    );
  }
  await restoreBranch({ gitDir, ...saved });
  return "bundle";
}
