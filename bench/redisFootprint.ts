import crypto from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { silentLogger } from "../jobs/logger";
import { createRunWorker } from "../jobs/worker";
import { loadConfig } from "../lib/config";
import { createEventLog } from "../lib/eventLog";
import { createReviewsQueue, createRunsQueue } from "../lib/queue";
import { createRedis } from "../lib/redis";
import { createTestRepo } from "../tests/support/gitRepo";
import { keysWithoutExpiry, runMany } from "../tests/support/runEndings";
import type { BenchResult } from "./stats";

/**
 * Redis's footprint of finished runs (issue 9, bounded Redis): short shell runs of every ending
 * (completed, failed with changes, cancelled, reviewed then discarded, reviewed then pushed)
 * through a real worker, measured after 50 and after 250 runs. What never expires must not grow
 * with the runs; what does expire (a run's events, 3 days after it ends) is shown per run.
 * BullMQ's job records are left out: removeOnComplete/removeOnFail bound them by count and age.
 */
const FIRST = 50;
const TOTAL = 250;

export async function benchRedisFootprint(): Promise<BenchResult> {
  process.env.ALLOW_LOCAL_REPOS = "1";
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "agentdesk-bench-footprint-"));
  const namespace = `bench-footprint-${crypto.randomBytes(4).toString("hex")}:`;
  const config = { ...loadConfig(), dataDir, redisPrefix: namespace, workerConcurrency: 4 };
  const redis = createRedis(config.redisUrl, "worker", "bench-footprint");
  const log = createEventLog(redis, namespace);
  const queue = createRunsQueue(redis, namespace);
  const reviews = createReviewsQueue(redis, namespace);
  const repo = await createTestRepo({ files: { "README.md": "footprint\n" } });
  const worker = await createRunWorker({ config, redis, namespace, logger: silentLogger });
  const target = { redis, log, namespace, queue, reviews, repoUrl: repo.url };
  try {
    await runMany(target, FIRST, 0);
    const early = await keysWithoutExpiry(target);
    await runMany(target, TOTAL - FIRST, FIRST);
    const late = await keysWithoutExpiry(target);
    const perRun = (late.expiringBytes - early.expiringBytes) / (TOTAL - FIRST);
    return {
      name: `Redis footprint of finished runs (${TOTAL} short runs, every ending)`,
      lines: [
        `keys that never expire: ${early.keys.length} after ${FIRST} runs, ${late.keys.length} after ${TOTAL} (${early.bytes} → ${late.bytes} bytes)`,
        `expiring keys per finished run: ${((late.all - early.all) / (TOTAL - FIRST)).toFixed(1)} keys, ${(perRun / 1024).toFixed(1)} KiB (events, gone 3 days after the run ends)`,
        `baseline before issue 9: every failed or never-reviewed run kept its branch bundle for ever`,
      ],
    };
  } finally {
    await worker.close(5_000);
    await queue.close();
    await reviews.close();
    redis.disconnect();
    await repo.remove();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}
