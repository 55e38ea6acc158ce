import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import type { EventLog } from "../../lib/eventLog";
import { unfencedWrites, type RunStateWrites } from "../run/fence";
import { RUN_STATE_BACKSTOP_SEC } from "../../lib/runRetention";
import { runGit } from "./exec";

/**
 * A run's branch travels between job processes as a git bundle of the commits it adds to its
 * base (`base..branch`), kept in Redis beside the run's events. Run repositories are per machine: the
 * bundle is what lets a crashed run resume, or a reviewed run be pushed, on any other one.
 */

const MAX_BUNDLE_BYTES = 64 * 1024 * 1024;

const bundleMeta = z.object({ branch: z.string(), baseSha: z.string(), headSha: z.string() });
export type BundleMeta = z.infer<typeof bundleMeta>;

async function withTempFile<T>(fn: (file: string) => Promise<T>): Promise<T> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "agentdesk-bundle-"));
  try {
    return await fn(path.join(dir, "branch.bundle"));
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/**
 * Bundles the commits of `branch` after `baseSha`; null when the branch adds none. `also`:
 * commits (not on the branch) whose objects the bundle carries too, without a ref: a restore
 * makes them available (the run's checkpoint record may still name one while the branch moved on).
 */
export async function bundleBranch(opts: {
  gitDir: string;
  branch: string;
  baseSha: string;
  also?: readonly string[];
  /** Where the branch is, when the caller knows (it moved it): saves asking git. */
  headSha?: string;
}): Promise<{ bundle: Buffer; meta: BundleMeta } | null> {
  const headSha = opts.headSha ?? (await runGit(["rev-parse", "--verify", `refs/heads/${opts.branch}^{commit}`], { gitDir: opts.gitDir })).stdout.trim();
  if (headSha === opts.baseSha) return null;
  const also = (opts.also ?? []).filter((sha) => sha !== opts.baseSha && sha !== headSha);
  for (const sha of also) if (!/^[0-9a-f]{40,64}$/.test(sha)) throw new Error(`"${sha}" is not a commit id`);
  return withTempFile(async (file) => {
    await runGit(["bundle", "create", "--quiet", file, `^${opts.baseSha}`, `refs/heads/${opts.branch}`, ...also], { gitDir: opts.gitDir });
    const bundle = await fs.readFile(file);
    if (bundle.length > MAX_BUNDLE_BYTES) {
      throw new Error(`the branch's commits take ${bundle.length} bytes as a bundle, over the ${MAX_BUNDLE_BYTES} byte limit`);
    }
    return { bundle, meta: { branch: opts.branch, baseSha: opts.baseSha, headSha } };
  });
}

/**
 * Puts the bundled branch into a run's repository, at exactly the bundled commit. The
 * repository must already hold the base commit (it borrows the fetched mirror's objects).
 * `bundle unbundle` reads the file directly: no transport, no remote, no config of anyone's.
 */
export async function restoreBranch(opts: { gitDir: string; bundle: Buffer; meta: BundleMeta }): Promise<string> {
  const ref = `refs/heads/${opts.meta.branch}`;
  if (!/^[0-9a-f]{40,64}$/.test(opts.meta.headSha)) throw new Error(`the bundle's head "${opts.meta.headSha}" is not a commit id`);
  return withTempFile(async (file) => {
    await fs.writeFile(file, opts.bundle);
    await runGit(["bundle", "verify", "--quiet", file], { gitDir: opts.gitDir });
    const { stdout } = await runGit(["bundle", "unbundle", file], { gitDir: opts.gitDir });
    // "<sha> <ref>" per line: the bundle must carry exactly the branch at the recorded commit.
    const heads = stdout.split("\n").filter(Boolean).map((line) => line.split(" "));
    if (!heads.some(([sha, name]) => sha === opts.meta.headSha && name === ref)) {
      throw new Error(`the bundle does not hold ${ref} at ${opts.meta.headSha}`);
    }
    await runGit(["update-ref", "--no-deref", ref, opts.meta.headSha], { gitDir: opts.gitDir });
    const head = (await runGit(["rev-parse", "--verify", `${ref}^{commit}`], { gitDir: opts.gitDir })).stdout.trim();
    if (head !== opts.meta.headSha) throw new Error(`restored ${ref} at ${head}, expected ${opts.meta.headSha}`);
    return head;
  });
}

/**
 * Keeps the run's bundle in Redis until the run ends (lib/runRetention.ts removes it then),
 * with the backstop expiry renewed on every save.
 */
export async function saveRunBundle(
  log: EventLog,
  runId: string,
  value: { bundle: Buffer; meta: BundleMeta },
  writes: RunStateWrites = unfencedWrites(log.redis),
): Promise<void> {
  const key = log.keys.runBundle(runId);
  await writes.hset(key, { meta: JSON.stringify(value.meta), bundle: value.bundle });
  // Outside the fence on purpose: an expiry only bounds how long the bundle can outlive its run.
  await log.redis.expire(key, RUN_STATE_BACKSTOP_SEC);
}

export async function loadRunBundle(log: EventLog, runId: string): Promise<{ bundle: Buffer; meta: BundleMeta } | null> {
  const key = log.keys.runBundle(runId);
  const [meta, bundle] = await Promise.all([log.redis.hget(key, "meta"), log.redis.hgetBuffer(key, "bundle")]);
  if (!meta || !bundle) return null;
  return { bundle, meta: bundleMeta.parse(JSON.parse(meta)) };
}

export async function deleteRunBundle(log: EventLog, runId: string): Promise<void> {
  await log.redis.del(log.keys.runBundle(runId));
}
