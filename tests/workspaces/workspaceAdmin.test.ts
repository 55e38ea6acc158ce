import crypto from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../jobs/logger";
import { runDir, runsDir } from "../../jobs/git/runRepo";
import { createDiskUseCache, measureDiskUse } from "../../jobs/workspaces/diskUse";
import { maintainWorkspaces, takeDeleteRequests } from "../../jobs/workspaces/admin";
import { ConfigError, loadConfig } from "../../lib/config";
import {
  parseWorkspaceId,
  runWorkspaceId,
  workspaceDeleteRequestsKey,
  workspaceDeleteResult,
  workspaceDeleteResultKey,
  workspaceReport,
  workspaceReportKey,
} from "../../lib/contracts/workspaces";
import { createEventLog } from "../../lib/eventLog";
import { runJobOptions } from "../../lib/queue";
import { eventually, hasType, makeRunPayload, waitForEvents } from "../jobs/helpers";
import { withInProcessWorker } from "../support/inProcessWorker";

/**
 * The job process's side of the workspaces admin page, with a real BullMQ worker running real
 * runs (git, sandbox) and the real Redis: the report lists a live run's workspace with its size
 * and state; an admin's delete request removes a left-over one from disk and is refused for an
 * active run, a suspended run, a path-traversal id and a symlink leading out; the sweep removes
 * left-over workspaces by age and by size (times set with utimes), never an active or a
 * suspended run's.
 */
const config = loadConfig();
const pipeline = withInProcessWorker();
const WORKER = `test-worker-${crypto.randomBytes(3).toString("hex")}`;
const folders: string[] = [];

afterAll(async () => {
  for (const dir of folders) await fs.rm(dir, { recursive: true, force: true });
});

const options = (overrides: Partial<typeof config> = {}) => ({
  redis: pipeline.redis,
  config: { ...config, ...overrides },
  worker: WORKER,
  logger: silentLogger,
  disk: createDiskUseCache({ ttlMs: 0 }),
});

async function requestDelete(id: string): Promise<ReturnType<typeof workspaceDeleteResult.parse>> {
  const requestId = crypto.randomUUID();
  await pipeline.redis.rpush(workspaceDeleteRequestsKey(config.redisPrefix, WORKER), JSON.stringify({ requestId, id, at: new Date().toISOString() }));
  const answered = await takeDeleteRequests(options());
  expect(answered.map((a) => a.requestId)).toEqual([requestId]);
  const stored = await pipeline.redis.get(workspaceDeleteResultKey(config.redisPrefix, requestId));
  return workspaceDeleteResult.parse(JSON.parse(stored!));
}

const exists = (p: string) => fs.lstat(p).then(() => true, () => false);

describe("workspace ids", () => {
  it("take run and pool ids only: no paths, no `..`, no separators", () => {
    expect(parseWorkspaceId("run~run123")).toEqual({ kind: "run", runId: "run123" });
    expect(parseWorkspaceId(`pool~repo-abc~1700000000000-${"a".repeat(40)}-0123abcd`)).toMatchObject({ kind: "pool", pool: "repo-abc" });
    for (const bad of ["run~..", "run~../../etc", "run~a/b", "../runs/x", "run~", "pool~..~1700000000000-" + "a".repeat(40) + "-0123abcd", "/etc/passwd", "run~x~y"]) {
      expect(parseWorkspaceId(bad), bad).toBeNull();
    }
  });

  it("the limits default to a week and 50 GiB and refuse bad values naming the variable", () => {
    expect(loadConfig({})).toMatchObject({ workspaceMaxAgeHours: 168, workspaceMaxBytes: 50 * 2 ** 30 });
    expect(loadConfig({ WORKSPACE_MAX_AGE_HOURS: "2", WORKSPACE_MAX_BYTES: "1MiB" })).toMatchObject({ workspaceMaxAgeHours: 2, workspaceMaxBytes: 2 ** 20 });
    expect(() => loadConfig({ WORKSPACE_MAX_AGE_HOURS: "soon" })).toThrow(ConfigError);
    expect(() => loadConfig({ WORKSPACE_MAX_BYTES: "lots" })).toThrow(/WORKSPACE_MAX_BYTES/);
  });
});

describe("a live run's workspace on the admin page", () => {
  it("is listed with its run, size and state, cannot be deleted while running, and can once it is left over", async () => {
    // A run that writes 200 kB into its workspace, then waits until the test has looked.
    const payload = makeRunPayload(pipeline.repo.url, { command: "head -c 200000 /dev/zero > big.bin && echo written && sleep 4" });
    await pipeline.queue.add("run", payload, runJobOptions(payload.runId, "normal"));
    await waitForEvents(pipeline.log, payload.runId, (events) => events.some((e) => e.type === "log" && e.message.includes("written")), 30_000);

    const report = workspaceReport.parse(JSON.parse((await maintainWorkspaces(options()), await pipeline.redis.get(workspaceReportKey(config.redisPrefix, WORKER)))!));
    const entry = report.runs.find((r) => r.runId === payload.runId);
    expect(entry).toMatchObject({ id: runWorkspaceId(payload.runId), state: "active", branch: payload.branch, attempts: 1, partial: false });
    expect(entry!.bytes).toBeGreaterThanOrEqual(200_000);
    expect(report.host).toBe(os.hostname());

    const refused = await requestDelete(entry!.id);
    expect(refused).toMatchObject({ outcome: "refused", worker: WORKER });
    expect(refused.reason).toMatch(/running/);
    expect(await exists(runDir(config.dataDir, payload.runId))).toBe(true);

    // Ended awaiting review: its repository stays (left over), and the admin may delete it.
    await waitForEvents(pipeline.log, payload.runId, hasType("run.awaiting_review"), 30_000);
    // The job itself ends just after its last event: the workspace is left over from then on.
    const after = await eventually(async () => {
      const entry = (await maintainWorkspaces(options())).runs.find((r) => r.runId === payload.runId);
      return entry?.state === "left-over" ? entry : undefined;
    });
    expect(after).toMatchObject({ state: "left-over", attempts: 0 });
    const deleted = await requestDelete(entry!.id);
    expect(deleted).toMatchObject({ outcome: "deleted", reason: null });
    expect(deleted.bytes).toBeGreaterThan(0);
    expect(await exists(runDir(config.dataDir, payload.runId))).toBe(false);
    expect((await requestDelete(entry!.id)).outcome).toBe("not_found");
  }, 60_000);
});

describe("delete requests that must not delete", () => {
  it("refuses a path-traversal id, a symlink out of the runs folder, and a suspended run's workspace; ignores a request with no id", async () => {
    const traversal = await requestDelete("run~../../etc");
    expect(traversal).toMatchObject({ outcome: "refused", reason: "not a workspace id" });

    const outside = await fs.mkdtemp(path.join(os.tmpdir(), "agentdesk-outside-"));
    folders.push(outside);
    await fs.writeFile(path.join(outside, "precious"), "keep me");
    const linkId = `run${crypto.randomBytes(4).toString("hex")}`;
    await fs.mkdir(runsDir(config.dataDir), { recursive: true });
    await fs.symlink(outside, path.join(runsDir(config.dataDir), linkId));
    expect(await requestDelete(runWorkspaceId(linkId))).toMatchObject({ outcome: "refused" });
    expect(await fs.readFile(path.join(outside, "precious"), "utf8")).toBe("keep me");
    await fs.rm(path.join(runsDir(config.dataDir), linkId));

    const suspendedId = `run${crypto.randomBytes(4).toString("hex")}`;
    await fs.mkdir(path.join(runDir(config.dataDir, suspendedId), "repo.git"), { recursive: true });
    const log = createEventLog(pipeline.redis, config.redisPrefix);
    await pipeline.redis.hset(log.keys.suspendedRuns, suspendedId, "{}");
    try {
      const result = await requestDelete(runWorkspaceId(suspendedId));
      expect(result).toMatchObject({ outcome: "refused" });
      expect(result.reason).toMatch(/waiting for a person/);
      expect(await exists(runDir(config.dataDir, suspendedId))).toBe(true);
    } finally {
      await pipeline.redis.hdel(log.keys.suspendedRuns, suspendedId);
      await fs.rm(runDir(config.dataDir, suspendedId), { recursive: true, force: true });
    }

    await pipeline.redis.rpush(workspaceDeleteRequestsKey(config.redisPrefix, WORKER), "not json", JSON.stringify({ id: "run~x" }));
    expect(await takeDeleteRequests(options())).toEqual([]);
  });
});

describe("the sweep of left-over run workspaces", () => {
  async function dataDirWith(runs: { id: string; bytes: number; ageHours: number }[]): Promise<string> {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "agentdesk-sweep-"));
    folders.push(dataDir);
    for (const run of runs) {
      const dir = runDir(dataDir, run.id);
      await fs.mkdir(path.join(dir, "repo.git", "objects"), { recursive: true });
      await fs.writeFile(path.join(dir, "repo.git", "objects", "pack"), Buffer.alloc(run.bytes));
      const when = new Date(Date.now() - run.ageHours * 3600_000);
      for (const p of [path.join(dir, "repo.git", "objects", "pack"), path.join(dir, "repo.git", "objects"), path.join(dir, "repo.git"), dir]) await fs.utimes(p, when, when);
    }
    return dataDir;
  }
  const left = async (dataDir: string) => (await fs.readdir(runsDir(dataDir))).sort();

  it("removes left-over workspaces older than the age, keeping a suspended one however old", async () => {
    const dataDir = await dataDirWith([
      { id: "runold", bytes: 1000, ageHours: 50 },
      { id: "runsuspended", bytes: 1000, ageHours: 80 },
      { id: "runfresh", bytes: 1000, ageHours: 1 },
    ]);
    const log = createEventLog(pipeline.redis, config.redisPrefix);
    await pipeline.redis.hset(log.keys.suspendedRuns, "runsuspended", "{}");
    try {
      const report = await maintainWorkspaces({ ...options({ dataDir, workspaceMaxAgeHours: 48 }) });
      expect(await left(dataDir)).toEqual(["runfresh", "runsuspended"]);
      expect(report.runs.map((r) => [r.runId, r.state])).toEqual([
        ["runfresh", "left-over"],
        ["runsuspended", "suspended"],
      ]);
    } finally {
      await pipeline.redis.hdel(log.keys.suspendedRuns, "runsuspended");
    }
  });

  it("removes the oldest left-over workspaces while all of them take more than the size", async () => {
    const dataDir = await dataDirWith([
      { id: "runa", bytes: 40_000, ageHours: 30 },
      { id: "runb", bytes: 40_000, ageHours: 20 },
      { id: "runc", bytes: 40_000, ageHours: 10 },
      { id: "rund", bytes: 40_000, ageHours: 5 },
    ]);
    await maintainWorkspaces(options({ dataDir, workspaceMaxAgeHours: 1000, workspaceMaxBytes: 100_000 }));
    expect(await left(dataDir)).toEqual(["runc", "rund"]);
    // Within both limits now: nothing more goes.
    await maintainWorkspaces(options({ dataDir, workspaceMaxAgeHours: 1000, workspaceMaxBytes: 100_000 }));
    expect(await left(dataDir)).toEqual(["runc", "rund"]);
  });

  it("measures in bounded time and says when it stopped early", async () => {
    const dataDir = await dataDirWith([{ id: "runbig", bytes: 10, ageHours: 1 }]);
    for (let i = 0; i < 50; i++) await fs.mkdir(path.join(runDir(dataDir, "runbig"), `d${i}`));
    const whole = await measureDiskUse(runDir(dataDir, "runbig"));
    expect(whole).toMatchObject({ bytes: 10, files: 1, partial: false });
    expect((await measureDiskUse(runDir(dataDir, "runbig"), -1)).partial).toBe(true);
  });
});
