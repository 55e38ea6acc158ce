import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as createRun } from "@/app/api/runs/route";
import { run } from "@/lib/db/schema";
import { readRunEvents } from "@/lib/eventLog";
import { reviewJobIds } from "@/lib/queue";
import { startRecorder, type Recorder } from "@/lib/recorder";
import { failureReasonFor, reconcileRun } from "@/lib/server/reconcileRun";
import { runIdOfJob } from "@/lib/server/reconciler";
import { createTestRepo, type TestRepo } from "../support/gitRepo";
import { call, getApp, registerRepo, signUp, type Session } from "../support/web";
import { failJobAsBullMQDoes, until } from "./helpers";

/**
 * Several web processes reconcile the same runs: each decides from what it read, and only one
 * of them ends a run. No background reconciler here, so the race is the test's own.
 */
let owner: Session;
let repo: TestRepo;
let recorder: Recorder;

beforeAll(async () => {
  owner = await signUp("owner@example.com");
  repo = await createTestRepo();
  expect((await registerRepo(owner, { name: "demo", url: repo.url })).status).toBe(201);
  const app = await getApp();
  recorder = startRecorder({ db: app.db, redisUrl: app.config.redisUrl, namespace: app.config.redisPrefix, blockMs: 100 });
});
afterAll(async () => {
  await recorder?.stop();
  await repo?.remove();
});

describe("reconciling one run from several web processes", () => {
  it("ends a run whose job BullMQ failed exactly once, however many reconcile it at the same time", async () => {
    const app = await getApp();
    const res = await call(createRun, "/api/runs", { as: owner, body: { repo: "demo", command: "true" } });
    const runId = ((await res.json()) as { id: string }).id;
    // A worker whose processing never reaches our pipeline: the job fails with BullMQ's own reason.
    await failJobAsBullMQDoes(app, runId);

    const outcomes = await Promise.all([reconcileRun(app, runId), reconcileRun(app, runId), reconcileRun(app, runId)]);
    expect(outcomes.filter((o) => o === "failed")).toHaveLength(1);
    // The others read the stream before the one append and lost the compare-and-swap, or after
    // it; on a fast recorder one may even read the run already projected `failed` ("ok").
    expect(outcomes.filter((o) => o !== "failed").every((o) => o === "raced" || o === "ending" || o === "ok")).toBe(true);
    const failedEvents = (await readRunEvents(app.eventLog, runId, "0")).filter((e) => e.event.type === "run.failed");
    expect(failedEvents).toHaveLength(1);
    await until("the projection", async () => {
      const [row] = await app.db.select().from(run).where(eq(run.id, runId));
      return row?.status === "failed" ? row : undefined;
    });
    // Once ended, a later check finds nothing to do.
    expect(await reconcileRun(app, runId)).toBe("ok");
  }, 60_000);

  it("names the run of each job id, and no run for review jobs", () => {
    const runId = "5d703a79-98be-4429-bb28-c3f125a93b1d";
    const decisionId = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
    expect(runIdOfJob(runId)).toBe(runId);
    expect(runIdOfJob(reviewJobIds.changes(runId, decisionId))).toBe(runId);
    expect(runIdOfJob(reviewJobIds.push(decisionId))).toBeNull();
    expect(runIdOfJob(reviewJobIds.discard(decisionId))).toBeNull();
  });

  it("tells a person what happened and what to do", () => {
    expect(failureReasonFor("job stalled more than allowable limit")).toBe(
      "the job process running it stopped responding twice (stalled); retry the run",
    );
    expect(failureReasonFor("Missing lock for job x")).toBe("its job failed outside the run (Missing lock for job x); retry the run");
    expect(failureReasonFor(undefined)).toBe("its job failed outside the run (no reason given); retry the run");
  });
});
