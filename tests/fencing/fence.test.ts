import crypto from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runGit } from "../../jobs/git/exec";
import { AttemptFence } from "../../jobs/run/fence";
import { loadConfig } from "../../lib/config";
import { StaleAttemptError, appendEvent, appendEventIfTail, createEventLog, readRunEvents, type EventLog } from "../../lib/eventLog";
import { createRedis } from "../../lib/redis";
import { git } from "../support/gitRepo";

/**
 * The fence's checks on their own, against real Redis and git: each write is refused in the
 * same step that would make it once the lock holds another delivery's token, with nothing
 * local telling the fence it lost (a zombie's first act after waking).
 */
const config = loadConfig();
let redis: Redis;
let log: EventLog;
let repoDir: string;

beforeAll(async () => {
  redis = createRedis(config.redisUrl, "worker");
  log = createEventLog(redis, config.redisPrefix);
  repoDir = await fs.mkdtemp(path.join(os.tmpdir(), "agentdesk-fence-"));
  await git(repoDir, "init", "--quiet", "--bare");
});
afterAll(async () => {
  await redis?.quit();
  await fs.rm(repoDir, { recursive: true, force: true });
});

/** A run with a lock held by `token`, as BullMQ keeps it. */
async function lockedRun(token: string) {
  const runId = `run${crypto.randomBytes(6).toString("hex")}`;
  const key = `${config.redisPrefix}bull:runs:${runId}:lock`;
  await redis.set(key, token, "PX", 60_000);
  return { runId, key, fence: new AttemptFence(redis, runId, { key, token }) };
}

async function commit(message: string, parent?: string): Promise<string> {
  const tree = (await runGit(["mktree"], { gitDir: repoDir, input: "" })).stdout.trim();
  const args = ["commit-tree", tree, ...(parent ? ["-p", parent] : []), "-m", message];
  return (await runGit(args, { gitDir: repoDir, env: { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@x", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@x" } })).stdout.trim();
}

describe("AttemptFence", () => {
  it("refuses an event once the job lock holds another token, in the same step as the append", async () => {
    const { runId, key, fence } = await lockedRun("delivery-1");
    await appendEvent(log, runId, { type: "log", level: "info", message: "mine" }, new Date(), fence.appendGuard());
    await redis.set(key, "delivery-2"); // the next delivery took the job over
    await expect(
      appendEvent(log, runId, { type: "run.completed", reason: "no changes" }, new Date(), fence.appendGuard()),
    ).rejects.toBeInstanceOf(StaleAttemptError);
    await redis.del(key); // BullMQ failed or finished the job: no lock at all
    await expect(
      appendEvent(log, runId, { type: "run.failed", error: "x" }, new Date(), fence.appendGuard()),
    ).rejects.toBeInstanceOf(StaleAttemptError);
    expect((await readRunEvents(log, runId, "0")).map((e) => e.event.type)).toEqual(["log"]);
    // Nor did the refused ending mark the run ended.
    expect(await redis.get(log.keys.runEnded(runId))).toBeNull();
  });

  it("refuses writes of the run's state (bundle, checkpoint) without the lock, leaving them as they were", async () => {
    const { runId, key, fence } = await lockedRun("delivery-1");
    const checkpoint = log.keys.runCheckpoint(runId);
    await fence.writes.set(checkpoint, "turn 1", 60);
    await fence.writes.hset(log.keys.runBundle(runId), { meta: "m1", bundle: Buffer.from([0, 1, 2, 255]) });
    expect(await redis.hgetBuffer(log.keys.runBundle(runId), "bundle")).toEqual(Buffer.from([0, 1, 2, 255]));
    await redis.set(key, "delivery-2");
    await expect(fence.writes.set(checkpoint, "turn 0", 60)).rejects.toBeInstanceOf(StaleAttemptError);
    await expect(fence.writes.del(checkpoint)).rejects.toBeInstanceOf(StaleAttemptError);
    await expect(fence.writes.hset(log.keys.runBundle(runId), { meta: "m0" })).rejects.toBeInstanceOf(StaleAttemptError);
    expect(await redis.get(checkpoint)).toBe("turn 1");
    expect(await redis.hget(log.keys.runBundle(runId), "meta")).toBe("m1");
    expect(fence.lost).toBe(true);
  });

  it("moves the run's branch only from where it left it, and only while it holds the lock", async () => {
    const { key, fence } = await lockedRun("delivery-1");
    const base = await commit("base");
    const mine = await commit("mine", base);
    const theirs = await commit("theirs", base);
    const ref = "refs/heads/agentdesk/fenced";
    await runGit(["update-ref", ref, base], { gitDir: repoDir });
    await fence.moveBranch(repoDir, "agentdesk/fenced", mine, base);
    const head = async () => (await runGit(["rev-parse", ref], { gitDir: repoDir })).stdout.trim();
    expect(await head()).toBe(mine);

    // Someone else moved it: compare-and-swap fails even with the lock held.
    await runGit(["update-ref", ref, theirs], { gitDir: repoDir });
    await expect(fence.moveBranch(repoDir, "agentdesk/fenced", base, mine)).rejects.toThrow();
    expect(await head()).toBe(theirs);

    // The lock is gone: no move, even from the right place.
    await redis.set(key, "delivery-2");
    await expect(fence.moveBranch(repoDir, "agentdesk/fenced", mine, theirs)).rejects.toBeInstanceOf(StaleAttemptError);
    expect(await head()).toBe(theirs);
  });

  it("appends on a compare-and-swap of the stream's tail, so two reconcilers end a run once", async () => {
    const runId = `run${crypto.randomBytes(6).toString("hex")}`;
    const first = await appendEventIfTail(log, runId, { type: "run.failed", error: "a" }, null);
    expect(first).not.toBeNull();
    // Both read an empty stream; only the first append happens.
    expect(await appendEventIfTail(log, runId, { type: "run.failed", error: "b" }, null)).toBeNull();
    expect(await appendEventIfTail(log, runId, { type: "log", level: "info", message: "c" }, first!.id)).not.toBeNull();
    expect((await readRunEvents(log, runId, "0")).map((e) => e.event.type)).toEqual(["run.failed", "log"]);
  });
});
