import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../jobs/logger";
import { createRunWorker } from "../../jobs/worker";
import { loadConfig } from "../../lib/config";
import { createEventLog, type EventLog } from "../../lib/eventLog";
import { createReviewsQueue, createRunsQueue, reviewJobIds, reviewJobOptions, type JobPayload, type ReviewJobPayload } from "../../lib/queue";
import { createRedis } from "../../lib/redis";
import { startJobProcess, type JobProcess } from "../agent/jobProcess";
import { allEvents, eventually, waitForEvents } from "../jobs/helpers";
import { lastOf, pushFinishedCount, pushPayloadFor, runToReview } from "../review/helpers";
import { startFakeGitHub, type FakeGitHub } from "../support/fakeGitHub";
import { startGitHttpServer, type GitHttpServer } from "../support/gitHttpServer";
import { createTestRepo, type TestRepo } from "../support/gitRepo";
import { killTree, requeueStalledJob } from "./support";

/**
 * Issue 9's fault: a push cut off half way (the job process, and its git, killed while the
 * remote's receive hook is still running). Before, the dead holder's 10-minute push lock made
 * every retry give up and left the run `pushing` with the branch on the remote and no pull
 * request. Now the retry, on another machine, takes the lock within seconds, finds the branch
 * at the decided commit, opens the one pull request and ends the push exactly once.
 */
const TOKEN = "l4-push-crash-token";
const CREDENTIAL = "L4_PUSH_CRASH_TOKEN";
const config = loadConfig();
let redis: Redis;
let log: EventLog;
let queue: Queue<JobPayload>;
let reviews: Queue<ReviewJobPayload>;
let repo: TestRepo;
let server: GitHttpServer;
let github: FakeGitHub;
let machines: string;
const children: JobProcess[] = [];

beforeAll(async () => {
  process.env[CREDENTIAL] = TOKEN;
  redis = createRedis(config.redisUrl, "worker");
  log = createEventLog(redis, config.redisPrefix);
  queue = createRunsQueue(redis, config.redisPrefix);
  reviews = createReviewsQueue(redis, config.redisPrefix);
  repo = await createTestRepo({ files: { "README.md": "hello\n" } });
  server = await startGitHttpServer(repo.root, TOKEN);
  github = await startFakeGitHub(TOKEN);
  machines = await fs.mkdtemp(path.join(os.tmpdir(), "agentdesk-push-machines-"));
});
afterAll(async () => {
  for (const child of children) if (child.proc.exitCode === null) killTree(child.proc.pid!);
  await queue?.close();
  await reviews?.close();
  await redis?.quit();
  await server?.close();
  await github?.close();
  await repo?.remove();
  await fs.rm(machines, { recursive: true, force: true });
});

async function machine(name: string): Promise<JobProcess> {
  const child = await startJobProcess({
    DATA_DIR: path.join(machines, name),
    [CREDENTIAL]: TOKEN,
    GITHUB_API_URL: github.url,
  });
  children.push(child);
  return child;
}

describe("a push cut off half way", () => {
  it.each(["post-receive", "pre-receive"])(
    "completes on retry after the job process dies in the remote's slow %s hook: one push.finished, one pull request",
    async (hook) => {
      const url = server.urlOf("remote.git");
      // The run reaches review here; the push then runs only on the child job processes.
      const worker = await createRunWorker({ config, redis, logger: silentLogger });
      const { payload, headSha } = await runToReview(queue, log, url, {
        repo: { name: "crash", url, credentialEnv: CREDENTIAL, networkHosts: [] },
      }).finally(() => worker.close(5_000));

      const marker = path.join(machines, `${hook}-${payload.runId}.started`);
      await repo.addRemoteHook(hook, `#!/bin/sh\ncat >/dev/null\necho started >> '${marker}'\nsleep 4\n`);
      try {
        const push = pushPayloadFor(payload, headSha, {
          repo: { name: "crash", url, credentialEnv: CREDENTIAL, githubRepo: "acme/app" },
          pullRequest: { title: "Crash-safe push", body: "pushed after a crash" },
        });
        const first = await machine(`a-${hook}`);
        await reviews.add("push", push, reviewJobOptions(reviewJobIds.push(push.decisionId)));
        // The remote is running its hook for our push: the machine dies now.
        await eventually(() => fs.readFile(marker, "utf8").catch(() => undefined), 30_000);
        killTree(first.proc.pid!);
        await first.exited;
        expect(pushFinishedCount(await allEvents(log, payload.runId))).toBe(0);

        // BullMQ's stalled check hands the job to the next job process (another machine).
        const jobId = reviewJobIds.push(push.decisionId);
        await requeueStalledJob(reviews, redis, config.redisPrefix, jobId);
        const started = Date.now();
        await machine(`b-${hook}`);
        const events = await waitForEvents(log, payload.runId, (all) => pushFinishedCount(all) > 0, 60_000);
        // Within the push lock's short expiry plus the push, not the old 10 minutes.
        expect(Date.now() - started).toBeLessThan(45_000);
        const finished = lastOf(events, "push.finished")!;
        expect(finished).toMatchObject({ ok: true, commit: headSha, pullRequestUrl: expect.stringContaining("/pull/") });
        expect(await repo.remoteSha(payload.branch)).toBe(headSha);
        expect(github.pulls.filter((p) => p.head === payload.branch)).toHaveLength(1);
        expect(await eventually(async () => ((await reviews.getJobState(jobId)) === "completed" ? true : undefined))).toBe(true);

        // Nothing more comes: not a second outcome, not a second start that would walk the status back.
        await new Promise((r) => setTimeout(r, 1_500));
        const after = await allEvents(log, payload.runId);
        expect(pushFinishedCount(after)).toBe(1);
        expect(after.filter((e) => e.type === "push.started")).toHaveLength(1);
        expect(after.at(-1)?.type).toBe("push.finished");
      } finally {
        await fs.rm(path.join(repo.url, "hooks", hook), { force: true });
        for (const child of children.splice(0)) if (child.proc.exitCode === null) killTree(child.proc.pid!);
      }
    },
    120_000,
  );
});
