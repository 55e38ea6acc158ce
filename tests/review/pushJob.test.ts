import crypto from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadRunBundle } from "../../jobs/git/bundle";
import { runDir, runRepoPath } from "../../jobs/git/runRepo";
import { silentLogger } from "../../jobs/logger";
import { createRunWorker, type RunWorker } from "../../jobs/worker";
import { loadConfig } from "../../lib/config";
import { createEventLog, type EventLog } from "../../lib/eventLog";
import { CLI_FEEDBACK_REFUSAL } from "../../lib/reviewRules";
import { createRunsQueue, reviewJobIds, reviewJobOptions, type JobPayload } from "../../lib/queue";
import { createRedis } from "../../lib/redis";
import { createTestRepo, git, type TestRepo } from "../support/gitRepo";
import { startFakeGitHub, type FakeGitHub } from "../support/fakeGitHub";
import { allEvents, hasType, makeRunPayload, waitForEvents } from "../jobs/helpers";
import { addPush, lastOf, pushFinishedCount, pushPayloadFor, runToReview } from "./helpers";

const config = loadConfig();
let redis: Redis;
let log: EventLog;
let queue: Queue<JobPayload>;
let workerA: RunWorker;
let workerB: RunWorker;
let repo: TestRepo;
let otherDataDir: string;

const agentdeskBranches = async () => git(repo.url, "for-each-ref", "--format=%(refname)", "refs/heads/agentdesk/");
const pushEnded = (events: { type: string }[]) => events.some((e) => e.type === "push.finished");

beforeAll(async () => {
  redis = createRedis(config.redisUrl, "worker");
  log = createEventLog(redis, config.redisPrefix);
  queue = createRunsQueue(redis, config.redisPrefix);
  repo = await createTestRepo({ files: { "README.md": "hello\n" } });
  otherDataDir = await fs.mkdtemp(path.join(os.tmpdir(), "agentdesk-other-machine-"));
  workerA = await createRunWorker({ config, redis, logger: silentLogger });
  // A second job process with its own data folder: another machine with its own mirrors.
  workerB = await createRunWorker({ config: { ...config, dataDir: otherDataDir }, redis, logger: silentLogger });
});

afterAll(async () => {
  await workerA?.close(5_000);
  await workerB?.close(5_000);
  await queue?.close();
  await redis?.quit();
  await repo?.remove();
  await fs.rm(otherDataDir, { recursive: true, force: true });
});

describe("push job", () => {
  it("pushes nothing before the decision, then exactly the branch at the decided commit", async () => {
    const { payload, headSha } = await runToReview(queue, log, repo.url);
    expect(await agentdeskBranches()).toBe("");
    expect(await loadRunBundle(log, payload.runId)).not.toBeNull();

    const push = pushPayloadFor(payload, headSha);
    await addPush(queue, push);
    // The double click: the same decision's job added again is the same job.
    await addPush(queue, push);
    const events = await waitForEvents(log, payload.runId, pushEnded);
    const finished = lastOf(events, "push.finished")!;
    expect(finished).toMatchObject({ ok: true, branch: payload.branch, commit: headSha, remote: repo.url });
    expect(await repo.remoteSha(payload.branch)).toBe(headSha);
    expect(await agentdeskBranches()).toBe(`refs/heads/${payload.branch}`);
    expect(await repo.remoteSha("main")).toBe(await git(repo.work, "rev-parse", "main"));
    expect(await loadRunBundle(log, payload.runId)).toBeNull();
    await new Promise((r) => setTimeout(r, 300));
    expect(pushFinishedCount(await allEvents(log, payload.runId))).toBe(1);
  });

  it("two job processes with one decision push once, without an error", async () => {
    const { payload, headSha } = await runToReview(queue, log, repo.url);
    const push = pushPayloadFor(payload, headSha);
    // A redelivery racing the original on another machine: two jobs, one decision.
    const jobs = await Promise.all([
      queue.add("push", push, reviewJobOptions(reviewJobIds.push(push.decisionId))),
      queue.add("push", push, reviewJobOptions(`${reviewJobIds.push(push.decisionId)}-redelivered`)),
    ]);
    const states = await Promise.all(jobs.map((j) => waitForFinished(j.id!)));
    expect(states).toEqual(["completed", "completed"]);
    const events = await allEvents(log, payload.runId);
    expect(pushFinishedCount(events)).toBe(1);
    expect(events.filter((e) => e.type === "push.started")).toHaveLength(1);
    expect(await repo.remoteSha(payload.branch)).toBe(headSha);
  });

  it("runs on a job process that never saw the run (branch from the bundle), and a retry finds it done", async () => {
    await workerB.close(5_000);
    const { payload, headSha } = await runToReview(queue, log, repo.url);
    await workerA.close(5_000);
    workerB = await createRunWorker({ config: { ...config, dataDir: otherDataDir }, redis, logger: silentLogger });
    try {
      const push = pushPayloadFor(payload, headSha);
      await addPush(queue, push);
      const events = await waitForEvents(log, payload.runId, pushEnded);
      expect(lastOf(events, "push.finished")).toMatchObject({ ok: true, commit: headSha });
      // Pushed from a run repository restored from the bundle, which goes once the branch is on the remote.
      expect(await repo.remoteSha(payload.branch)).toBe(headSha);
      await expect(fs.access(runRepoPath(otherDataDir, payload.runId))).rejects.toThrow();

      // A retry of the decision after a crash that lost its outcome: the remote already has
      // the commit, so it succeeds without pushing.
      const retry = pushPayloadFor(payload, headSha);
      const job = await addPush(queue, retry);
      expect(await waitForFinished(job.id!)).toBe("completed");
      expect(pushFinishedCount(await allEvents(log, payload.runId))).toBe(2);
      expect(await repo.remoteSha(payload.branch)).toBe(headSha);
    } finally {
      workerA = await createRunWorker({ config, redis, logger: silentLogger });
    }
  });

  it("refuses to overwrite a remote branch someone else moved, and says so", async () => {
    const { payload, headSha } = await runToReview(queue, log, repo.url);
    const theirs = await repo.commit({ "theirs.txt": "someone else\n" }, "their change", payload.branch);
    const push = pushPayloadFor(payload, headSha);
    const job = await addPush(queue, push);
    const events = await waitForEvents(log, payload.runId, pushEnded);
    const finished = lastOf(events, "push.finished")!;
    expect(finished.ok).toBe(false);
    expect(finished.error).toMatch(/someone else changed it/);
    expect(await repo.remoteSha(payload.branch)).toBe(theirs);
    expect(await waitForFinished(job.id!)).toBe("failed");
  });

  it("refuses to push the base branch or a branch outside agentdesk/", async () => {
    const { payload, headSha } = await runToReview(queue, log, repo.url);
    const bad = pushPayloadFor(payload, headSha, { baseBranch: payload.branch });
    await addPush(queue, bad);
    const events = await waitForEvents(log, payload.runId, pushEnded);
    expect(lastOf(events, "push.finished")).toMatchObject({ ok: false, error: expect.stringMatching(/base branch/) });
    expect(await agentdeskBranches()).not.toContain(payload.branch);

    const outside = pushPayloadFor(payload, headSha, { branch: "main" as never });
    const job = await queue.add("push", outside, reviewJobOptions(reviewJobIds.push(outside.decisionId)));
    expect(await waitForFinished(job.id!)).toBe("failed");
  });

  it("opens one pull request and finds it on a second push", async () => {
    const token = "ghp_fake0123456789token";
    const github: FakeGitHub = await startFakeGitHub(token);
    process.env.REVIEW_TEST_GH_TOKEN = token;
    const ghConfig = { ...config, githubApiUrl: github.url };
    await workerA.close(5_000);
    await workerB.close(5_000);
    workerA = await createRunWorker({ config: ghConfig, redis, logger: silentLogger });
    try {
      const { payload, headSha } = await runToReview(queue, log, repo.url, {
        repo: { name: "gh", url: repo.url, credentialEnv: "REVIEW_TEST_GH_TOKEN", networkHosts: [] },
      });
      const pr = { title: "Add reviewed.txt", body: "echo reviewed" };
      const first = pushPayloadFor(payload, headSha, { repo: { ...payload.repo, githubRepo: "acme/app" }, pullRequest: pr });
      await addPush(queue, first);
      let events = await waitForEvents(log, payload.runId, pushEnded);
      const url = lastOf(events, "push.finished")!.pullRequestUrl;
      expect(url).toBe("https://github.example/acme/app/pull/1");

      const second = { ...first, decisionId: crypto.randomUUID(), expectedRemoteSha: headSha };
      await addPush(queue, second);
      events = await waitForEvents(log, payload.runId, (e) => pushFinishedCount(e) === 2);
      expect(lastOf(events, "push.finished")).toMatchObject({ ok: true, pullRequestUrl: url });
      expect(github.pulls).toHaveLength(1);
      expect(github.pulls[0]).toMatchObject({ head: payload.branch, base: "main", title: pr.title, state: "open" });
      expect(github.calls.map((c) => c.method)).toEqual(["GET", "POST", "GET"]);
      expect(github.calls[0]!.path).toContain(`head=${encodeURIComponent(`acme:${payload.branch}`)}`);
      expect(JSON.stringify(events)).not.toContain(token);
    } finally {
      await github.close();
      await workerA.close(5_000);
      workerA = await createRunWorker({ config, redis, logger: silentLogger });
      workerB = await createRunWorker({ config: { ...config, dataDir: otherDataDir }, redis, logger: silentLogger });
    }
  });
});

describe("discard job", () => {
  it("deletes the run's repository and the bundle, and leaves the remote alone", async () => {
    // Run and discard on the same job process, the one holding the run's repository.
    await workerB.close(5_000);
    const { payload } = await runToReview(queue, log, repo.url);
    const runRepo = runRepoPath(config.dataDir, payload.runId);
    expect(await git(runRepo, "rev-parse", `refs/heads/${payload.branch}`)).toMatch(/^[0-9a-f]{40}$/);
    const remoteBefore = await git(repo.url, "for-each-ref");
    const decisionId = crypto.randomUUID();
    try {
      await queue.add("discard", { kind: "discard", runId: payload.runId, decisionId, repo: payload.repo, branch: payload.branch }, reviewJobOptions(reviewJobIds.discard(decisionId)));
      await waitForEvents(log, payload.runId, (e) => e.some((x) => x.type === "log" && /the remote was not touched/.test(x.message)));
    } finally {
      workerB = await createRunWorker({ config: { ...config, dataDir: otherDataDir }, redis, logger: silentLogger });
    }
    await expect(fs.access(runDir(config.dataDir, payload.runId))).rejects.toThrow();
    expect(await loadRunBundle(log, payload.runId)).toBeNull();
    expect(await git(repo.url, "for-each-ref")).toBe(remoteBefore);
  });
});

describe("request changes on a shell-command run", () => {
  it("fails the follow-up job for good, saying why", async () => {
    const payload = makeRunPayload(repo.url, { feedback: { decisionId: crypto.randomUUID(), text: "more" } });
    const job = await queue.add("run", payload, reviewJobOptions(reviewJobIds.changes(payload.runId, payload.feedback!.decisionId)));
    const events = await waitForEvents(log, payload.runId, hasType("run.failed"));
    expect(lastOf(events, "run.failed")!.error).toBe(CLI_FEEDBACK_REFUSAL);
    expect(await waitForFinished(job.id!)).toBe("failed");
  });
});

async function waitForFinished(jobId: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const state = await (await queue.getJob(jobId))?.getState();
    if (state === "completed" || state === "failed") return state;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${state}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
