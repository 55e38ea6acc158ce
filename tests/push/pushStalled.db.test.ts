import fs from "node:fs/promises";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { POST as review } from "@/app/api/runs/[id]/review/route";
import { POST as createRun } from "@/app/api/runs/route";
import { run } from "@/lib/db/schema";
import type { RunEvent } from "@/lib/events";
import { startRecorder, type Recorder } from "@/lib/recorder";
import { startReconciler, type Reconciler } from "@/lib/server/reconciler";
import { startJobProcess, type JobProcess } from "../fencing/jobProcesses";
import { allEvents, eventually } from "../jobs/helpers";
import { startGitHttpServer, type GitHttpServer } from "../support/gitHttpServer";
import { createTestRepo, type TestRepo } from "../support/gitRepo";
import { call, getApp, registerRepo, signUp, type Session } from "../support/web";
import { killTree } from "./support";

/**
 * A push whose job process dies twice mid-push (killed in the remote's slow pre-receive hook):
 * BullMQ then fails the push job itself, without our code. The run must not stay `pushing`:
 * the reconciler puts it back in review with the reason, and "Retry push" (the same API call
 * again) pushes the branch, exactly once.
 */
const TOKEN = "l4-push-stalled-token";
const CREDENTIAL = "L4_PUSH_STALLED_TOKEN";
let owner: Session;
let repo: TestRepo;
let server: GitHttpServer;
let recorder: Recorder;
let reconciler: Reconciler;
const processes: JobProcess[] = [];

beforeAll(async () => {
  process.env[CREDENTIAL] = TOKEN;
  owner = await signUp("push-stalled@example.com");
  repo = await createTestRepo({ files: { "README.md": "hello\n" } });
  server = await startGitHttpServer(repo.root, TOKEN);
  const registered = await registerRepo(owner, { name: "stalled", url: server.urlOf("remote.git"), credentialEnv: CREDENTIAL });
  expect(registered.status).toBe(201);
  const app = await getApp();
  recorder = startRecorder({ db: app.db, redisUrl: app.config.redisUrl, namespace: app.config.redisPrefix, blockMs: 100 });
  reconciler = startReconciler(app, { intervalMs: 1_000, settleMs: 0 });
});
afterEach(() => {
  for (const p of processes.splice(0)) if (p.proc.exitCode === null) killTree(p.pid);
});
afterAll(async () => {
  await reconciler?.stop();
  await recorder?.stop();
  await server?.close();
  await repo?.remove();
});

async function jobProcess(): Promise<JobProcess> {
  const p = await startJobProcess({ TEST_MAX_STALLED: "1", [CREDENTIAL]: TOKEN });
  processes.push(p);
  return p;
}

async function events(runId: string): Promise<RunEvent[]> {
  return allEvents((await getApp()).eventLog, runId);
}

async function statusBecomes(runId: string, status: string) {
  const app = await getApp();
  return eventually(async () => {
    const [row] = await app.db.select().from(run).where(eq(run.id, runId));
    return row?.status === status ? row : undefined;
  }, 60_000);
}

const hookRuns = async (marker: string) => (await fs.readFile(marker, "utf8").catch(() => "")).split("\n").filter(Boolean).length;

describe("a push job BullMQ fails itself", () => {
  it("puts the run back in review with the reason; Retry push then pushes it once", async () => {
    const created = await call(createRun, "/api/runs", { as: owner, body: { repo: "stalled", command: "echo pushed > pushed.txt" } });
    expect(created.status).toBe(201);
    const runId = ((await created.json()) as { id: string }).id;
    let current = await jobProcess();
    const reviewed = await statusBecomes(runId, "awaiting_review");

    const marker = path.join(repo.root, "pre-receive.runs");
    await repo.addRemoteHook("pre-receive", `#!/bin/sh\ncat >/dev/null\necho run >> '${marker}'\nsleep 20\nexit 1\n`);
    const push = () => call(review, `/api/runs/${runId}/review`, { as: owner, body: { action: "push" }, params: { id: runId } });
    expect((await push()).status).toBe(201);

    // Killed in the remote's hook, twice: the second stall makes BullMQ fail the job itself.
    for (let kill = 1; kill <= 2; kill++) {
      await eventually(async () => ((await hookRuns(marker)) >= kill ? true : undefined), 60_000);
      killTree(current.pid);
      current = await jobProcess();
    }
    const back = await statusBecomes(runId, "awaiting_review");
    expect(back.error).toBe("push failed: the job process pushing it stopped responding twice (stalled); push again");
    const failed = (await events(runId)).filter((e) => e.type === "push.finished");
    expect(failed).toMatchObject([{ ok: false }]);

    // "Retry push": the remote takes it now.
    await fs.rm(path.join(repo.url, "hooks", "pre-receive"));
    expect((await push()).status).toBe(201);
    const pushed = await statusBecomes(runId, "pushed");
    expect(await repo.remoteSha(pushed.branch)).toBe(reviewed.headSha);
    const finished = (await events(runId)).filter((e) => e.type === "push.finished");
    expect(finished.map((e) => e.type === "push.finished" && e.ok)).toEqual([false, true]);
    // Later scans change nothing.
    await reconciler.scan();
    expect((await events(runId)).filter((e) => e.type === "push.finished")).toHaveLength(2);
  }, 150_000);
});
