import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { GET as runEvents } from "@/app/api/runs/[id]/events/route";
import { POST as createRun } from "@/app/api/runs/route";
import { run } from "@/lib/db/schema";
import { endsStream, type RunEvent } from "@/lib/events";
import { readRunEvents } from "@/lib/eventLog";
import { startRecorder, type Recorder } from "@/lib/recorder";
import { startReconciler, type Reconciler } from "@/lib/server/reconciler";
import { killJobProcess, startJobProcess, type JobProcess } from "../fencing/jobProcesses";
import { createTestRepo, type TestRepo } from "../support/gitRepo";
import { call, getApp, readSse, registerRepo, signUp, type Session } from "../support/web";
import { until } from "./helpers";

/**
 * Every run reaches a truthful terminal state, with real job processes: BullMQ failing a job
 * itself after two stalls, a queued run whose job is gone, and a Redis that lost this
 * installation's data. The reconciler runs as the web starts it, with a short interval.
 */
let owner: Session;
let repo: TestRepo;
let recorder: Recorder;
let reconciler: Reconciler;
const processes: JobProcess[] = [];

beforeAll(async () => {
  owner = await signUp("owner@example.com");
  repo = await createTestRepo({ files: { "README.md": "hello\n" } });
  expect((await registerRepo(owner, { name: "demo", url: repo.url })).status).toBe(201);
  const app = await getApp();
  recorder = startRecorder({ db: app.db, redisUrl: app.config.redisUrl, namespace: app.config.redisPrefix, blockMs: 100 });
  reconciler = startReconciler(app, { intervalMs: 1_000, settleMs: 0 });
});
afterEach(async () => {
  for (const p of processes.splice(0)) await killJobProcess(p);
});
afterAll(async () => {
  await reconciler?.stop();
  await recorder?.stop();
  await repo?.remove();
});

async function jobProcess(): Promise<JobProcess> {
  const p = await startJobProcess({ TEST_MAX_STALLED: "1" });
  processes.push(p);
  return p;
}

async function newRun(command: string): Promise<string> {
  const res = await call(createRun, "/api/runs", { as: owner, body: { repo: "demo", command } });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function events(runId: string): Promise<RunEvent[]> {
  const app = await getApp();
  return (await readRunEvents(app.eventLog, runId, "0", 10_000)).map((e) => e.event);
}

const runStarts = async (runId: string) => (await events(runId)).filter((e) => e.type === "run.started").length;

async function runRow(runId: string) {
  const app = await getApp();
  const [row] = await app.db.select().from(run).where(eq(run.id, runId));
  return row!;
}

async function statusBecomes(runId: string, status: string) {
  return until(`run ${runId} to be ${status}`, async () => {
    const row = await runRow(runId);
    return row.status === status ? row : undefined;
  });
}

describe("reconciler", () => {
  it("ends a run BullMQ failed itself after two stalls as failed, with a reason, and its SSE stream ends", async () => {
    const runId = await newRun("sleep 120");
    let first = await jobProcess();
    await until("the first start", async () => ((await runStarts(runId)) === 1 ? true : undefined));
    // A browser watches the run from here on.
    const sse = call(runEvents, `/api/runs/${runId}/events`, { as: owner, params: { id: runId } }).then((res) =>
      readSse(res, { timeoutMs: 90_000 }),
    );

    first.kill("SIGKILL");
    first = await jobProcess(); // takes the stalled run up again (one stall is allowed)
    await until("the second start", async () => ((await runStarts(runId)) === 2 ? true : undefined));
    first.kill("SIGKILL");
    await jobProcess(); // its stall check finds the second stall: BullMQ fails the job itself

    const row = await statusBecomes(runId, "failed");
    expect(row.error).toBe("the job process running it stopped responding twice (stalled); retry the run");
    const all = await events(runId);
    expect(all.filter(endsStream).map((e) => e.type)).toEqual(["run.failed"]);
    const { messages, ended } = await sse;
    expect(ended).toBe(true);
    expect(messages[messages.length - 1]).toMatchObject({ event: "run.failed" });
    // Later scans change nothing more.
    expect((await reconciler.scan()).failed ?? 0).toBe(0);
    expect((await events(runId)).length).toBe(all.length);
  }, 120_000);

  it("queues a run whose job was removed again, and it runs once", async () => {
    const runId = await newRun("echo reconciled > out.txt");
    const app = await getApp();
    await (await app.queue.getJob(runId))!.remove();
    await until("the run's job back in the queue", async () => ((await app.queue.getJob(runId)) ? true : undefined));
    await jobProcess();
    const row = await statusBecomes(runId, "awaiting_review");
    expect(row.error).toBeNull();
    expect(await runStarts(runId)).toBe(1);
  }, 90_000);

  it("after Redis lost this installation's data: the queued run is queued again and runs, the running one fails visibly", async () => {
    const app = await getApp();
    const running = await newRun("sleep 120");
    const worker = await jobProcess();
    await until("the running run's start", async () => ((await runStarts(running)) === 1 ? true : undefined));
    await statusBecomes(running, "running");
    worker.kill("SIGKILL");
    const queued = await newRun("echo after the loss > out.txt");

    // Everything under this test file's prefix goes, as if Redis restarted without persistence.
    let cursor = "0";
    do {
      const [next, keys] = await app.redis.scan(cursor, "MATCH", `${app.config.redisPrefix}*`, "COUNT", 1000);
      if (keys.length) await app.redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");

    const failed = await statusBecomes(running, "failed");
    expect(failed.error).toMatch(/its job is gone from Redis.*retry the run/);
    await until("the queued run's job again", async () => ((await app.queue.getJob(queued)) ? true : undefined));
    await jobProcess();
    await statusBecomes(queued, "awaiting_review");
  }, 120_000);

  it("fails a queued run that cannot be queued again, saying why", async () => {
    const app = await getApp();
    const runId = await newRun("true");
    // A row the job payload cannot be built from (a branch name the queue refuses).
    await app.db.update(run).set({ branch: "not a branch" }).where(eq(run.id, runId));
    await (await app.queue.getJob(runId))!.remove();
    const row = await statusBecomes(runId, "failed");
    expect(row.error).toMatch(/^it could not be queued again \(branch: .+\); start a new run$/);
    expect(await app.queue.getJob(runId)).toBeUndefined();
  }, 60_000);
});
