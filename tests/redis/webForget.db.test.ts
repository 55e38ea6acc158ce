import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as cancelRun } from "@/app/api/runs/[id]/cancel/route";
import { POST as createRun } from "@/app/api/runs/route";
import { runStateKeys } from "@/lib/runRetention";
import { reconcileRun } from "@/lib/server/reconcileRun";
import { failJobAsBullMQDoes } from "../reconcile/helpers";
import { createTestRepo, type TestRepo } from "../support/gitRepo";
import { call, getApp, registerRepo, signUp, type Session } from "../support/web";

/**
 * Runs the web ends without a job process (a cancel while queued, the reconciler failing a run
 * whose job BullMQ failed itself) take their working state out of Redis too: what an earlier
 * attempt left (its checkpoint, the branch's bundle) serves no run any more.
 */
let owner: Session;
let repo: TestRepo;

beforeAll(async () => {
  owner = await signUp("forget-owner@example.com");
  repo = await createTestRepo({ files: { "README.md": "hello\n" } });
  expect((await registerRepo(owner, { name: "forget", url: repo.url })).status).toBe(201);
});
afterAll(async () => {
  await repo?.remove();
});

async function queuedRunWithState(): Promise<string> {
  const res = await call(createRun, "/api/runs", { as: owner, body: { repo: "forget", command: "true" } });
  expect(res.status).toBe(201);
  const runId = ((await res.json()) as { id: string }).id;
  const { eventLog } = await getApp();
  // As an earlier attempt that crashed would have left them.
  for (const key of runStateKeys(eventLog, runId)) await eventLog.redis.set(key, "left by an earlier attempt", "EX", 3600);
  return runId;
}

const stateLeft = async (runId: string) => {
  const { eventLog } = await getApp();
  return eventLog.redis.exists(...runStateKeys(eventLog, runId));
};

describe("working state of runs the web ends", () => {
  it("a cancel while queued removes it", async () => {
    const runId = await queuedRunWithState();
    const res = await call(cancelRun, `/api/runs/${runId}/cancel`, { as: owner, body: {}, params: { id: runId } });
    expect(res.status).toBe(200);
    expect(await stateLeft(runId)).toBe(0);
  });

  it("the reconciler failing a run whose job BullMQ failed removes it", async () => {
    const app = await getApp();
    const runId = await queuedRunWithState();
    await failJobAsBullMQDoes(app, runId);
    expect(await stateLeft(runId)).toBe(3);
    expect(await reconcileRun(app, runId)).toBe("failed");
    expect(await stateLeft(runId)).toBe(0);
  });
});
