import { execFileSync } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runGit } from "../../jobs/git/exec";
import { attemptsDir } from "../../jobs/git/attempt";
import { runRepoPath } from "../../jobs/git/runRepo";
import { loadConfig } from "../../lib/config";
import { createEventLog, type EventLog } from "../../lib/eventLog";
import { endsStream } from "../../lib/events";
import { createRunsQueue, runJobOptions, type JobPayload } from "../../lib/queue";
import { createRedis } from "../../lib/redis";
import { createTestRepo, type TestRepo } from "../support/gitRepo";
import { allEvents, eventually, makeRunPayload, waitForEvents } from "../jobs/helpers";
import { killJobProcess, startJobProcess, type JobProcess } from "./jobProcesses";

/**
 * A job process paused (SIGSTOP) past its BullMQ lock while its run's command works, a second
 * job process taking the run over, then the first one continued (SIGCONT): the zombie must
 * change nothing. Both are real job processes (tests/fencing/jobProcess.ts) on one data
 * folder and one Redis, with BullMQ's lock shortened to 2 s.
 */
const config = loadConfig();
let redis: Redis;
let log: EventLog;
let queue: Queue<JobPayload>;
let repo: TestRepo;
const started: JobProcess[] = [];

beforeAll(async () => {
  redis = createRedis(config.redisUrl, "worker");
  log = createEventLog(redis, config.redisPrefix);
  queue = createRunsQueue(redis, config.redisPrefix);
  repo = await createTestRepo();
});
afterEach(async () => {
  for (const p of started.splice(0)) await killJobProcess(p);
});
afterAll(async () => {
  await queue?.close();
  await redis?.quit();
  await repo?.remove();
});

async function jobProcess(): Promise<JobProcess> {
  const p = await startJobProcess();
  started.push(p);
  return p;
}

/** The attempt folder of a run that the job process `pid` made (from its owner.json). */
async function attemptOf(runId: string, pid: number): Promise<string | undefined> {
  const dir = attemptsDir(config.dataDir, runId);
  for (const name of await fs.readdir(dir).catch(() => [])) {
    const owner = await fs.readFile(path.join(dir, name, "owner.json"), "utf8").catch(() => null);
    if (owner && (JSON.parse(owner) as { pid: number }).pid === pid) return path.join(dir, name);
  }
  return undefined;
}

/** The child processes of `pid` (a job process's sandboxed commands hang below these). */
function childrenOf(pid: number): string[] {
  try {
    return execFileSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" }).split("\n").filter((l) => l.trim());
  } catch {
    return []; // ps exits 1 when there are none
  }
}

const count = (events: { type: string }[], type: string) => events.filter((e) => e.type === type).length;

describe("fencing: an attempt that lost its job lock changes nothing", () => {
  it("a paused job process that wakes after another took its run over: one ending, the second attempt's work", async () => {
    // Each attempt writes where it works (its own attempt folder) into the run's files, then
    // waits until the test lets it finish by putting `release` in its workspace: the zombie's
    // never gets one, so its command ends only if it is killed.
    const payload = makeRunPayload(repo.url, { command: "pwd > attempt.txt && while [ ! -e release ]; do sleep 0.1; done; rm release" });
    const { runId } = payload;
    const first = await jobProcess();
    await queue.add("run", payload, runJobOptions(runId, "normal"));
    await waitForEvents(log, runId, (events) => events.some((e) => e.type === "tool.started"));
    const zombieFolder = await eventually(() => attemptOf(runId, first.pid));
    // Started (and idle) before the pause, so its start-up does not eat into the command's time.
    const second = await jobProcess();

    first.kill("SIGSTOP");
    // The lock (2 s) runs out; the second process's stall check hands the run to it.
    await waitForEvents(log, runId, (events) => count(events, "run.started") === 2, 30_000);
    const takeoverFolder = await eventually(() => attemptOf(runId, second.pid));
    expect(takeoverFolder).not.toBe(zombieFolder);
    await waitForEvents(log, runId, (events) => count(events, "tool.started") === 2, 30_000);

    // The zombie wakes while the second attempt still works, and its own command still runs.
    expect(childrenOf(first.pid).length).toBeGreaterThan(0);
    first.kill("SIGCONT");
    // It stops: its sandboxed command, which would wait for ever, is killed.
    await eventually(async () => (childrenOf(first.pid).length === 0 ? true : undefined), 30_000);
    await fs.writeFile(path.join(takeoverFolder!, "workspace", "release"), "");
    const events = await waitForEvents(log, runId, (all) => all.some(endsStream), 30_000);
    // Give the zombie time to try everything it would have done.
    await new Promise((r) => setTimeout(r, 3_000));
    const final = await allEvents(log, runId);
    expect(final.length).toBe(events.length);

    const endings = final.filter(endsStream);
    expect(endings.map((e) => e.type)).toEqual(["run.awaiting_review"]);
    // One finished command: the zombie's tool.finished (and everything after it) was refused.
    expect(count(final, "tool.finished")).toBe(1);
    const secondStart = final.findIndex((e, i) => e.type === "run.started" && final.slice(0, i).some((x) => x.type === "run.started"));
    expect(final.findIndex((e) => e.type === "tool.finished")).toBeGreaterThan(secondStart);

    // The branch holds the second attempt's work, at the commit the review shows.
    const review = endings[0]! as Extract<(typeof endings)[number], { type: "run.awaiting_review" }>;
    const gitDir = runRepoPath(config.dataDir, runId);
    const head = (await runGit(["rev-parse", `refs/heads/${payload.branch}`], { gitDir })).stdout.trim();
    expect(head).toBe(review.headSha);
    const written = (await runGit(["show", `${head}:attempt.txt`], { gitDir })).stdout.trim();
    expect(written).toBe(path.join(takeoverFolder!, "workspace"));
    const bundleMeta = JSON.parse((await redis.hget(log.keys.runBundle(runId), "meta"))!) as { headSha: string };
    expect(bundleMeta.headSha).toBe(head);

    // The zombie noticed, said so in its own log (not the run's), and is still a working process.
    await eventually(async () => (first.lines.some((l) => l.includes("lost its job lock")) ? true : undefined), 10_000);
    expect(first.proc.exitCode).toBeNull();
  }, 90_000);

  it("a paused job process that wakes after the run ended changes nothing, and leaves the run's repository", async () => {
    const payload = makeRunPayload(repo.url, { command: "pwd > attempt.txt && sleep 2" });
    const { runId } = payload;
    const first = await jobProcess();
    await queue.add("run", payload, runJobOptions(runId, "normal"));
    await waitForEvents(log, runId, (events) => events.some((e) => e.type === "tool.started"));
    first.kill("SIGSTOP");
    const second = await jobProcess();
    await waitForEvents(log, runId, (events) => count(events, "run.started") === 2, 30_000);
    const takeoverFolder = await eventually(() => attemptOf(runId, second.pid));
    const ended = await waitForEvents(log, runId, (all) => all.some(endsStream), 30_000);

    first.kill("SIGCONT");
    await eventually(async () => (first.lines.some((l) => l.includes("lost its job lock")) ? true : undefined), 10_000);
    await new Promise((r) => setTimeout(r, 1_000));
    const final = await allEvents(log, runId);
    expect(final.length).toBe(ended.length);
    expect(final.filter(endsStream).map((e) => e.type)).toEqual(["run.awaiting_review"]);
    // The run's repository is still there for the review, with the second attempt's work.
    const gitDir = runRepoPath(config.dataDir, runId);
    const written = (await runGit(["show", `refs/heads/${payload.branch}:attempt.txt`], { gitDir })).stdout.trim();
    expect(written).toBe(path.join(takeoverFolder!, "workspace"));
    expect(await redis.get(log.keys.runEnded(runId))).toBe("run.awaiting_review");
  }, 90_000);
});
