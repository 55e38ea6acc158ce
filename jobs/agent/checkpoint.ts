import { z } from "zod";
import type { EventLog } from "../../lib/eventLog";
import { PermanentRunError } from "../errors";
import { bundleBranch, saveRunBundle } from "../git/bundle";
import type { AttemptTree } from "../git/attempt";
import { commitAll, type BranchTip } from "../git/commit";
import { runGit } from "../git/exec";
import { unfencedWrites, type RunStateWrites } from "../run/fence";

/**
 * Crash resume. After each completed step an executor saves its state; the pipeline saves
 * the workspace with it: a commit on the run's branch in the run's repository, bundled into Redis so a job process on
 * another machine can restore it. The record in Redis names that commit, so the state and
 * the files always match. The checkpoint commits are squashed when the run finishes.
 * The agent saves after every tool call, and records each call's start too (toolResume.ts).
 */
export const CHECKPOINT_SUBJECT = "agentdesk: checkpoint after turn";
const CHECKPOINT_TTL_SEC = 7 * 24 * 3600;

const checkpointRecord = z.object({
  version: z.literal(1),
  turn: z.number().int().nonnegative(),
  branch: z.string(),
  baseSha: z.string().regex(/^[0-9a-f]{40,64}$/),
  headSha: z.string().regex(/^[0-9a-f]{40,64}$/),
  worker: z.string(),
  savedAt: z.string(),
  // The executor's own state; it validates it with its own schema.
  state: z.unknown(),
});
export type RunCheckpoint = z.infer<typeof checkpointRecord>;

export type CheckpointOptions = {
  /**
   * Nothing has changed in the worktree since this saver's last save (e.g. a tool call is
   * about to start): the state is recorded with the commit saved then, without asking git,
   * which would scan the whole worktree. The first save of a saver always commits.
   */
  filesUnchanged?: boolean;
};

/** Saves the executor's state after step `turn`, with the worktree as it is now. */
export type CheckpointSaver = (turn: number, state: unknown, options?: CheckpointOptions) => Promise<void>;

export type CheckpointTarget = {
  log: EventLog;
  runId: string;
  tree: Pick<AttemptTree, "gitDir" | "workspace" | "indexFile">;
  branch: string;
  baseSha: string;
  author: { name: string; email: string };
  worker: string;
  /** The run's branch as this attempt holds it (fencing: moved by compare-and-swap only). */
  tip?: BranchTip;
  /** How the bundle and the record are written (fenced by the delivery's job lock). */
  writes?: RunStateWrites;
};

export function createCheckpointSaver(target: CheckpointTarget): CheckpointSaver {
  // The commit the saved bundle ends at: a turn that only read files changes nothing to bundle.
  let bundledHead: string | null = null;
  const writes = target.writes ?? unfencedWrites(target.log.redis);
  return async (turn, state, options = {}) => {
    const headSha =
      options.filesUnchanged && bundledHead !== null
        ? bundledHead
        : (await commitAll({ tree: target.tree, author: target.author, message: `${CHECKPOINT_SUBJECT} ${turn}\n`, tip: target.tip })).headSha;
    // Bundle first, record second: a crash in between leaves the previous record, whose
    // commit the new bundle still contains.
    if (headSha !== bundledHead) {
      const bundle = await bundleBranch({ gitDir: target.tree.gitDir, branch: target.branch, baseSha: target.baseSha });
      if (bundle) await saveRunBundle(target.log, target.runId, bundle, writes);
      bundledHead = headSha;
    }
    const record: RunCheckpoint = {
      version: 1,
      turn,
      branch: target.branch,
      baseSha: target.baseSha,
      headSha,
      worker: target.worker,
      savedAt: new Date().toISOString(),
      state,
    };
    await writes.set(target.log.keys.runCheckpoint(target.runId), JSON.stringify(record), CHECKPOINT_TTL_SEC);
  };
}

export async function loadRunCheckpoint(log: EventLog, runId: string): Promise<RunCheckpoint | null> {
  const raw = await log.redis.get(log.keys.runCheckpoint(runId));
  if (raw === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (e) {
    throw new PermanentRunError("the run's checkpoint in Redis is not valid JSON; the run cannot resume", { cause: e });
  }
  const parsed = checkpointRecord.safeParse(json);
  if (!parsed.success) {
    throw new PermanentRunError(`the run's checkpoint in Redis is not usable: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

export async function deleteRunCheckpoint(log: EventLog, runId: string, writes = unfencedWrites(log.redis)): Promise<void> {
  await writes.del(log.keys.runCheckpoint(runId));
}

/**
 * Whether checkpoint commits are on the branch between its base and `head`: the final commit
 * then takes the base as its parent, making the run's work one commit for the review.
 */
export async function hasCheckpointCommits(gitDir: string, baseSha: string, head: string): Promise<boolean> {
  const { stdout } = await runGit(["log", "--format=%s", `${baseSha}..${head}`], { gitDir });
  return stdout.split("\n").some((subject) => subject.startsWith(CHECKPOINT_SUBJECT));
}
