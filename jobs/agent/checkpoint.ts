import { z } from "zod";
import type { EventLog } from "../../lib/eventLog";
import { PermanentRunError } from "../errors";
import { bundleBranch, saveRunBundle } from "../git/bundle";
import type { AttemptTree } from "../git/attempt";
import { branchTipAtHead, commitTree, moveTip, stageWorkspace, treeOf, writeIndexTree, type BranchTip } from "../git/commit";
import { stageKnownFiles, type WrittenFile } from "../git/knownFiles";
import { runGit } from "../git/exec";
import { unfencedWrites, type RunStateWrites } from "../run/fence";
import { SaveQueue } from "./saveQueue";

/**
 * Crash resume. After each completed step an executor saves its state; the pipeline saves
 * the workspace with it: a commit on the run's branch in the run's repository, bundled into
 * Redis so a job process on another machine can restore it. The record in Redis names that
 * commit, so the state and the files always match. The agent saves after every tool call, and
 * records the start of calls with effects beyond the workspace too (toolResume.ts).
 *
 * Checkpoint commits are not chained: each one's parent is the run's base and its tree the
 * whole workspace, so the bundle of `base..branch` holds one commit's worth of changes, not
 * every turn's; the final commit replaces them (hasCheckpointCommits). Each bundle also
 * carries the commit the record in Redis names until the new record replaces it, so a crash
 * between the two writes leaves a record whose commit the bundle holds.
 *
 * Cheap saves: a step that changed nothing records its state with the commit saved before,
 * without asking git; a step that changed known files (the agent's file tools) is committed
 * from their contents without scanning the workspace, and may be written in the background
 * (`background`): the caller goes on while a queue writes its saves in order, merging those
 * not yet started into the newest (saveQueue.ts). Anything that needs the saves durable
 * (a call with outside effects starting, a wait for a person, the end of the executor)
 * flushes first; a background save's failure is thrown there.
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
   * which would scan the whole worktree. The first save of a saver always scans.
   */
  filesUnchanged?: boolean;
  /**
   * The step changed exactly these files since the last save, and nothing else: they are
   * committed from these contents, the worktree is not scanned (nor read: it may already
   * hold a later step's changes when the save is written).
   */
  written?: readonly WrittenFile[];
  /**
   * The save may be written after the call returns (with `filesUnchanged` or `written`). The
   * state is copied at the call; its failure is thrown by the next save or `flush`.
   */
  background?: boolean;
};

/** Saves the executor's state after step `turn`, with the worktree as it is now. */
export type CheckpointSaver = ((turn: number, state: unknown, options?: CheckpointOptions) => Promise<void>) & {
  /** Resolves once every save made so far is written; throws the failure of a background save. */
  flush?: () => Promise<void>;
  /** What the saver did so far (the agent-turn bench shows it). */
  stats?: () => CheckpointStats;
};

export type CheckpointStats = {
  /** Saves asked for, saves written, and saves merged into a newer one before being written. */
  saves: number;
  written: number;
  merged: number;
  /** Checkpoint commits made, and bundles written to Redis. */
  commits: number;
  bundles: number;
};

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
  /** The least time between two background writes (default BACKGROUND_SAVE_PAUSE_MS). */
  backgroundPauseMs?: number;
};

/**
 * Background saves start at most this often, so a burst of quick file turns costs a few
 * commits and bundles rather than one per turn: each is several git processes, and spawning
 * one stalls this process's event loop (the fork copies its page tables: milliseconds for a
 * job process's few hundred MiB), so the loop's turns pay for it. A crash loses at most this
 * much more of such work, and it is safe to run again (toolResume.ts).
 */
export const BACKGROUND_SAVE_PAUSE_MS = 500;

/** What changed in the worktree since the last save written. */
type Changes = { kind: "none" } | { kind: "known"; files: Map<string, WrittenFile> } | { kind: "scan" };
type Save = { turn: number; stateJson: string; changes: Changes };

function mergeSaves(older: Save, newer: Save): Save {
  const [a, b] = [older.changes, newer.changes];
  const changes: Changes =
    a.kind === "scan" || b.kind === "scan"
      ? { kind: "scan" }
      : a.kind === "none"
        ? b
        : b.kind === "none"
          ? a
          : { kind: "known", files: new Map([...a.files, ...b.files]) };
  return { ...newer, changes };
}

export function createCheckpointSaver(target: CheckpointTarget): CheckpointSaver {
  const { tree, baseSha } = target;
  const writes = target.writes ?? unfencedWrites(target.log.redis);
  const counts = { commits: 0, bundles: 0 };
  let tip: BranchTip | null = target.tip ?? null;
  // The tree of the branch's head, once known; the commit the run's record names (and so the bundle must hold).
  let headTree: string | null = null;
  let recordedHead: string | null = null;
  // The index matches the worktree (but for known writes) only after a scan by this attempt.
  let scanned = false;
  // Paths this saver staged from known contents since its last scan: in the index, so no ignore rule applies.
  const tracked = new Set<string>();

  const commitIndex = async (branchTip: BranchTip, turn: number) => {
    const treeSha = await writeIndexTree(tree);
    headTree ??= await treeOf(tree.gitDir, branchTip.head);
    if (treeSha === headTree) return;
    const next = await commitTree(tree.gitDir, { treeSha, parent: baseSha, author: target.author, message: `${CHECKPOINT_SUBJECT} ${turn}\n` });
    await moveTip(branchTip, next);
    headTree = treeSha;
    counts.commits += 1;
  };

  const write = async ({ turn, stateJson, changes }: Save) => {
    tip ??= await branchTipAtHead(tree.gitDir);
    recordedHead ??= tip.head;
    if (changes.kind === "scan") {
      tracked.clear();
      await stageWorkspace(tree);
    }
    if (changes.kind === "known") await stageKnownFiles(tree, [...changes.files.values()], tracked);
    if (changes.kind !== "none") await commitIndex(tip, turn);
    const headSha = tip.head;
    // Bundle first, record second: a crash in between leaves the previous record, whose
    // commit the new bundle still holds.
    if (headSha !== recordedHead) {
      const bundle = await bundleBranch({ gitDir: tree.gitDir, branch: target.branch, baseSha, headSha, also: [recordedHead] });
      if (bundle) {
        await saveRunBundle(target.log, target.runId, bundle, writes);
        counts.bundles += 1;
      }
    }
    const header: Omit<RunCheckpoint, "state"> = {
      version: 1,
      turn,
      branch: target.branch,
      baseSha,
      headSha,
      worker: target.worker,
      savedAt: new Date().toISOString(),
    };
    // The state was serialized when the save was asked for; the caller has moved on since.
    const record = `${JSON.stringify(header).slice(0, -1)},"state":${stateJson}}`;
    await writes.set(target.log.keys.runCheckpoint(target.runId), record, CHECKPOINT_TTL_SEC);
    recordedHead = headSha;
  };

  const queue = new SaveQueue<Save>(write, mergeSaves, target.backgroundPauseMs ?? BACKGROUND_SAVE_PAUSE_MS);
  const saver: CheckpointSaver = async (turn, state, options = {}) => {
    const stateJson = JSON.stringify(state) ?? "null";
    const changes: Changes = !scanned
      ? { kind: "scan" }
      : options.written
        ? options.written.length > 0
          ? { kind: "known", files: new Map(options.written.map((f) => [f.path, f])) }
          : { kind: "none" }
        : options.filesUnchanged
          ? { kind: "none" }
          : { kind: "scan" };
    scanned = true;
    queue.enqueue({ turn, stateJson, changes });
    // A scan reads the worktree as it is now: never behind the caller's back.
    if (!options.background || changes.kind === "scan") await queue.flush();
  };
  saver.flush = () => queue.flush();
  saver.stats = () => ({ saves: queue.counts.queued, written: queue.counts.written, merged: queue.counts.merged, ...counts });
  return saver;
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
