import type { EventLog } from "../../lib/eventLog";
import { PermanentRunError } from "../errors";
import { loadRunBundle, restoreBranch } from "../git/bundle";
import { hasCommit } from "../git/push";

/**
 * Makes sure the mirror holds the decided commit. The run may have run on another machine:
 * then its branch comes from the bundle kept in Redis. Call with the mirror fetched (the
 * bundle needs the base commit).
 */
export async function ensureDecidedCommit(opts: { log: EventLog; runId: string; mirror: string; headSha: string }): Promise<"mirror" | "bundle"> {
  const { log, runId, mirror, headSha } = opts;
  if (await hasCommit(mirror, headSha)) return "mirror";
  const saved = await loadRunBundle(log, runId);
  if (!saved) {
    throw new PermanentRunError(
      `commit ${headSha.slice(0, 12)} is not in this job process's mirror and no bundle of the run's branch is kept; it cannot be pushed from here`,
    );
  }
  if (saved.meta.headSha !== headSha) {
    throw new PermanentRunError(
      `the kept bundle of the run's branch is at ${saved.meta.headSha.slice(0, 12)}, not at the reviewed commit ${headSha.slice(0, 12)}`,
    );
  }
  await restoreBranch({ gitDir: mirror, ...saved });
  return "bundle";
}
