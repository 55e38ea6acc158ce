import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { mirrorPath } from "../../jobs/git/mirror";
import { runDir, runRepoPath } from "../../jobs/git/runRepo";
import { loadConfig } from "../../lib/config";
import { requestCancel } from "../../lib/eventLog";
import type { RunEvent, RunEventOf } from "../../lib/events";
import { runJobOptions, type JobPayload, type RunJobPayload } from "../../lib/queue";
import { runStateKeys } from "../../lib/runRetention";
import { withInProcessWorker } from "../support/inProcessWorker";
import { git } from "../support/gitRepo";
import { allEvents, eventually, expectNoSecret, hasEnded, hasType, makeRunPayload, typeSequence, waitForEvents } from "./helpers";

const config = loadConfig();
const pipeline = withInProcessWorker();

async function submit(overrides: Partial<RunJobPayload> = {}): Promise<RunJobPayload> {
  const payload = makeRunPayload(pipeline.repo.url, overrides);
  await pipeline.queue.add("run", payload, runJobOptions(payload.runId, "normal"));
  return payload;
}

function only<T extends RunEvent["type"]>(events: RunEvent[], type: T): RunEventOf<T> {
  const matching = events.filter((e) => e.type === type);
  expect(matching).toHaveLength(1);
  return matching[0] as RunEventOf<T>;
}

async function finishedJob(jobId: string) {
  return eventually(async () => {
    const job = await pipeline.queue.getJob(jobId);
    const state = await job?.getState();
    return job && (state === "completed" || state === "failed") ? { job, state } : undefined;
  });
}

describe("run job through a real BullMQ worker", () => {
  it("runs a command, commits its changes and waits for review", async () => {
    const payload = await submit({ command: "echo hello > hello.txt && echo done", prompt: "Say hello\nin a file" });
    const events = await waitForEvents(pipeline.log, payload.runId, hasEnded);
    expect(typeSequence(events)).toEqual([
      "run.started",
      "workspace.ready",
      "tool.started",
      "log",
      "tool.finished",
      "diff.ready",
      "run.awaiting_review",
    ]);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(only(events, "run.started")).toMatchObject({ attempt: 1, resumed: false });
    const ready = only(events, "workspace.ready");
    expect(ready).toMatchObject({ branch: payload.branch, baseBranch: "main", baseSha: await pipeline.repo.remoteSha("main") });
    const diff = only(events, "diff.ready");
    expect(diff).toMatchObject({
      baseSha: ready.baseSha,
      files: [{ path: "hello.txt", status: "added", additions: 1, deletions: 0, binary: false }],
      additions: 1,
      deletions: 0,
      truncated: false,
    });
    expect(diff.patch).toContain("+hello");
    const review = only(events, "run.awaiting_review");
    expect(review).toEqual(expect.objectContaining({ branch: payload.branch, headSha: diff.headSha }));

    const runRepo = runRepoPath(config.dataDir, payload.runId);
    expect(await git(runRepo, "rev-parse", `refs/heads/${payload.branch}`)).toBe(diff.headSha);
    expect(await git(runRepo, "log", "-1", "--format=%s", diff.headSha)).toBe("Say hello");
    await eventually(async () =>
      (await fs.access(path.join(runDir(config.dataDir, payload.runId), "attempts")).then(
        () => false,
        () => true,
      ))
        ? true
        : undefined,
    );
    const { state } = await finishedJob(payload.runId);
    expect(state).toBe("completed");
  });

  it("completes without review when the command changes nothing", async () => {
    const payload = await submit({ command: "echo nothing to change" });
    const events = await waitForEvents(pipeline.log, payload.runId, hasEnded);
    expect(events[events.length - 1]).toMatchObject({ type: "run.completed", reason: "no changes" });
    expect(events.some((e) => e.type === "diff.ready")).toBe(false);
  });

  it("does nothing when a job is delivered again after its run ended", async () => {
    const payload = await submit({ command: "echo once >> once.txt" });
    const before = await waitForEvents(pipeline.log, payload.runId, hasEnded);
    await finishedJob(payload.runId);
    await pipeline.queue.add("run", payload, { jobId: `${payload.runId}-again`, attempts: 1 });
    const { job, state } = await finishedJob(`${payload.runId}-again`);
    expect(state).toBe("completed");
    expect(job.returnvalue).toBe("skipped");
    expect(await allEvents(pipeline.log, payload.runId)).toEqual(before);
  });

  it("fails an invalid payload at once, without retries", async () => {
    const jobId = "invalid-payload-run";
    await pipeline.queue.add("run", { kind: "run", runId: jobId } as unknown as JobPayload, runJobOptions(jobId, "normal"));
    const { job, state } = await finishedJob(jobId);
    expect(state).toBe("failed");
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/invalid job payload/);
    const events = await waitForEvents(pipeline.log, jobId, hasEnded);
    expect(events[0]).toMatchObject({ type: "run.failed", error: expect.stringContaining("invalid job payload") });
  });

  it("fails the run when the command exits non-zero, keeping its changes on the branch", async () => {
    const payload = await submit({ command: "echo partial > partial.txt; exit 2" });
    const events = await waitForEvents(pipeline.log, payload.runId, hasEnded);
    expect(events[events.length - 1]).toMatchObject({ type: "run.failed", error: "command exited with code 2" });
    expect(only(events, "tool.finished")).toMatchObject({ ok: false, exitCode: 2 });
    // The run is over without review: its repository goes (just after the terminal event), and
    // its bundle leaves Redis (issue 9: bounded Redis); the feed says the changes end with it.
    await eventually(() => fs.access(runDir(config.dataDir, payload.runId)).then(() => undefined, () => true));
    expect(await pipeline.redis.exists(...runStateKeys(pipeline.log, payload.runId))).toBe(0);
    expect(events.some((e) => e.type === "log" && /the run made changes .* they end with it/.test(e.message))).toBe(true);
    const { job, state } = await finishedJob(payload.runId);
    expect(state).toBe("failed");
    expect(job.attemptsMade).toBe(1);
  });

  it("fails a run that exceeds its timeout", async () => {
    const payload = await submit({ command: "sleep 60", timeoutSec: 1 });
    const events = await waitForEvents(pipeline.log, payload.runId, hasEnded);
    expect(events[events.length - 1]).toMatchObject({ type: "run.failed", error: "timed out after 1 s" });
  });

  it("cancels a running run within 2 s of the request", async () => {
    const payload = await submit({ command: "sleep 60" });
    await waitForEvents(pipeline.log, payload.runId, hasType("tool.started"));
    const requested = Date.now();
    await requestCancel(pipeline.log, payload.runId, "user-1");
    const events = await waitForEvents(pipeline.log, payload.runId, hasEnded, 5_000);
    expect(Date.now() - requested).toBeLessThan(2_000);
    expect(events[events.length - 1]).toMatchObject({ type: "run.cancelled", by: "user-1" });
    const { state } = await finishedJob(payload.runId);
    expect(state).toBe("completed");
  });

  it("cancels a run whose cancel was requested before it started", async () => {
    const payload = makeRunPayload(pipeline.repo.url, { command: "echo should-not-run > x.txt" });
    await requestCancel(pipeline.log, payload.runId, "user-2");
    await pipeline.queue.add("run", payload, runJobOptions(payload.runId, "normal"));
    const events = await waitForEvents(pipeline.log, payload.runId, hasEnded);
    expect(events.map((e) => e.type)).toEqual(["run.cancelled"]);
    expect(events[0]).toMatchObject({ by: "user-2" });
  });

  it("fails with a clear message for an executor this process does not have", async () => {
    const payload = await submit({ executor: "claude-code" });
    const events = await waitForEvents(pipeline.log, payload.runId, hasEnded);
    expect(events[events.length - 1]).toMatchObject({
      type: "run.failed",
      error: expect.stringContaining('executor "claude-code" is not available'),
    });
  });

  it("fails permanently when the base branch does not exist", async () => {
    const payload = await submit({ baseBranch: "does-not-exist" });
    const events = await waitForEvents(pipeline.log, payload.runId, hasEnded);
    expect(events[events.length - 1]).toMatchObject({
      type: "run.failed",
      error: 'base branch "does-not-exist" does not exist in the repository',
    });
    const { job } = await finishedJob(payload.runId);
    expect(job.attemptsMade).toBe(1);
  });

  it("retries a transient failure with backoff and reports run.failed only on the last attempt", async () => {
    // Nothing listens on port 1: a network error, not a wrong repository.
    const payload = makeRunPayload("https://127.0.0.1:1/unreachable.git");
    await pipeline.queue.add("run", payload, { jobId: payload.runId, attempts: 2, backoff: { type: "fixed", delay: 200 } });
    const events = await waitForEvents(pipeline.log, payload.runId, hasEnded);
    expect(events.map((e) => e.type)).toEqual(["run.started", "run.started", "run.failed"]);
    expect(events[1]).toMatchObject({ attempt: 2, resumed: true });
    expect(events[2]).toMatchObject({ error: expect.stringContaining("Failed to connect") });
    const { job, state } = await finishedJob(payload.runId);
    expect(state).toBe("failed");
    expect(job.attemptsMade).toBe(2);
  });

  it("masks the repository credential in every event and keeps it out of the command and the mirror", async () => {
    const secret = "cred-value-that-must-not-leak";
    process.env.AGENTDESK_TEST_CREDENTIAL = secret;
    try {
      const payload = await submit({
        repo: { name: "test-repo", url: pipeline.repo.url, credentialEnv: "AGENTDESK_TEST_CREDENTIAL", networkHosts: [] },
        prompt: `Use ${secret}`,
        command: `echo "${secret}"; echo "env:$AGENTDESK_TEST_CREDENTIAL:"; echo x > x.txt`,
      });
      const events = await waitForEvents(pipeline.log, payload.runId, hasEnded);
      expect(events[events.length - 1]!.type).toBe("run.awaiting_review");
      expectNoSecret(events, secret);
      const output = events.flatMap((e) => (e.type === "log" && e.stream ? [e.message] : [])).join("");
      expect(output).toBe("***\nenv::\n");
      const mirror = mirrorPath(config.dataDir, pipeline.repo.url);
      const runRepo = runRepoPath(config.dataDir, payload.runId);
      expect(await fs.readFile(path.join(mirror, "config"), "utf8")).not.toContain(secret);
      expect(await fs.readFile(path.join(runRepo, "config"), "utf8")).not.toContain(secret);
      expect(await git(runRepo, "log", "-1", "--format=%B", `refs/heads/${payload.branch}`)).not.toContain(secret);
    } finally {
      delete process.env.AGENTDESK_TEST_CREDENTIAL;
    }
  });

  it("reports runs in its metrics", async () => {
    const text = await pipeline.runWorker.metrics.registry.metrics();
    expect(text).toMatch(/agentdesk_runs_started_total \d+/);
    expect(text).toMatch(/agentdesk_runs_finished_total\{outcome="awaiting_review"\} \d+/);
    expect(text).toContain("agentdesk_job_duration_seconds_bucket");
  });
});
