import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { EventLog } from "../../lib/eventLog";
import { loadRunBundle, restoreBranch } from "../../jobs/git/bundle";
import { ensureRunRepo, runRepoPath } from "../../jobs/git/runRepo";

/**
 * A run's branch as the run's bundle in Redis carries it, restored into a throwaway
 * repository that borrows `mirror`'s objects: for tests of runs whose own repository is gone
 * (a run that failed keeps its work only in the bundle). Returns that repository's path.
 */
export async function repoFromRunBundle(log: EventLog, runId: string, mirror: string): Promise<string> {
  const saved = await loadRunBundle(log, runId);
  if (!saved) throw new Error(`run ${runId} has no bundle`);
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "agentdesk-bundle-view-"));
  const gitDir = await ensureRunRepo(dataDir, "view", mirror);
  await restoreBranch({ gitDir, ...saved });
  return gitDir;
}

/** The repository holding a run's branch: its own while it is kept, else one from its bundle. */
export async function runBranchRepo(dataDir: string, runId: string, log: EventLog, mirror: string): Promise<string> {
  const own = runRepoPath(dataDir, runId);
  if (await fs.access(own).then(() => true, () => false)) return own;
  return repoFromRunBundle(log, runId, mirror);
}
