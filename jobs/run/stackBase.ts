import type { StackLink } from "../../lib/contracts/runStack";
import { PermanentRunError } from "../errors";
import { restoreBranch, type BundleMeta } from "../git/bundle";
import { hasCommit } from "../git/runRepo";
import type { AttemptFence } from "./fence";

/**
 * The base of a stacked run (lib/contracts/runStack.ts): the branches it builds on, root
 * first, made present in the run's own repository. A branch already pushed is in the fetched
 * mirror the repository borrows from; one awaiting review exists only as its run's bundle in
 * Redis, restored here (each bundle needs the one before it, hence root first). Returns the
 * commit the run starts from: its parent's head.
 */
export async function restoreStackBase(opts: {
  gitDir: string;
  links: readonly StackLink[];
  loadBundle(runId: string): Promise<{ bundle: Buffer; meta: BundleMeta } | null>;
  fence?: AttemptFence;
}): Promise<string> {
  const parent = opts.links.at(-1);
  if (!parent) throw new PermanentRunError("a stacked run needs the run it continues");
  for (const link of opts.links) {
    if (await hasCommit(opts.gitDir, link.headSha)) continue;
    const saved = await opts.loadBundle(link.runId);
    if (!saved) {
      // Not on the remote as fetched, and no bundle: either its push landed a moment after the
      // fetch (a retry fetches it) or the run was discarded (the retries fail the same way).
      throw new Error(
        `the branch ${link.branch} of run ${link.runId} (commit ${link.headSha.slice(0, 12)}) is neither on the remote nor kept with its run; was it discarded?`,
      );
    }
    await opts.fence?.check("restore the branch this run continues");
    await restoreBranch({ gitDir: opts.gitDir, ...saved });
    // The bundle holds the branch as it is now: after a "request changes" it moved on, and the
    // commit this run builds on is one of its ancestors (a new round only adds commits).
    if (!(await hasCommit(opts.gitDir, link.headSha))) {
      throw new PermanentRunError(
        `the branch ${link.branch} of run ${link.runId} no longer holds commit ${link.headSha.slice(0, 12)} that this run continues from`,
      );
    }
  }
  return parent.headSha;
}
