import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { POST as createAgentRoute } from "@/app/api/admin/acp-agents/route";
import { POST as cancelRoute } from "@/app/api/runs/[id]/cancel/route";
import { POST as retryRoute } from "@/app/api/runs/[id]/retry/route";
import { GET as getRunRoute } from "@/app/api/runs/[id]/route";
import { POST as createRunRoute } from "@/app/api/runs/route";
import { run } from "@/lib/db/schema";
import { appendEvent, readRunEvents } from "@/lib/eventLog";
import type { EventBodyInput } from "@/lib/events";
import type { RunJobPayload } from "@/lib/queue";
import { startRecorder, type Recorder } from "@/lib/recorder";
import { advertiseTestWorker, withdrawTestWorker } from "../support/adverts";
import { call, getApp, otherTeam, registerRepo, signUp, type Session } from "../support/web";

type ErrorBody = { error: { code: string; message: string; issues?: { path: string; message: string }[] } };
type RunJson = Record<string, unknown> & { id: string; userId: string; status: string };

const errorOf = async (res: Response) => ((await res.json()) as ErrorBody).error;
const WORKER = "retry-test-worker";

// What a retry must carry over: everything the person chose when submitting.
const SETTINGS = ["repo", "baseBranch", "executor", "acpAgent", "command", "prompt", "approvalMode", "model", "maxTurns", "timeoutSec", "priority"] as const;

describe("retry a failed or cancelled run", () => {
  let admin: Session;
  let alice: Session;
  let bob: Session;
  let recorder: Recorder;
  const repoDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-retry-"));

  const submit = async (body: Record<string, unknown>, as: Session = alice) => {
    const res = await call(createRunRoute, "/api/runs", { as, body });
    expect(res.status).toBe(201);
    return (await res.json()) as RunJson;
  };
  const retry = (id: string, as?: Session) => call(retryRoute, `/api/runs/${id}/retry`, { as, method: "POST", params: { id } });
  const getRun = async (id: string, as: Session = alice) => (await (await call(getRunRoute, `/api/runs/${id}`, { as, params: { id } })).json()) as RunJson;
  const jobOf = async (id: string) => (await (await getApp()).queue.getJob(id))?.data as RunJobPayload | undefined;

  /** Plays a job process that took the run and then reported `events`; waits until they are recorded. */
  async function playRun(id: string, ...events: EventBodyInput[]) {
    const app = await getApp();
    await app.queue.remove(id);
    for (const body of [{ type: "run.started", attempt: 1, worker: "test:1" } as const, ...events]) await appendEvent(app.eventLog, id, body);
    await recorder.settle();
  }
  const failRun = (id: string) => playRun(id, { type: "run.failed", error: "the model API is overloaded (529)" });

  beforeAll(async () => {
    admin = await signUp("retry-admin@example.com");
    alice = await signUp("retry-alice@example.com");
    // Bob works in another team.
    bob = (await otherTeam()).owner;
    expect((await registerRepo(admin, { name: "app", url: repoDir, defaultBranch: "main" })).status).toBe(201);
    expect((await call(createAgentRoute, "/api/admin/acp-agents", { as: admin, body: { name: "gemini", command: "gemini", args: ["--experimental-acp"] } })).status).toBe(201);
    const app = await getApp();
    recorder = startRecorder({ db: app.db, redisUrl: app.config.redisUrl, namespace: app.config.redisPrefix, blockMs: 100 });
  });
  afterEach(() => withdrawTestWorker(WORKER));
  afterAll(() => recorder?.stop());

  const offerEverything = () =>
    advertiseTestWorker(
      WORKER,
      [
        { name: "cli", available: true },
        { name: "agent", available: true },
        { name: "acp", available: true },
      ],
      [{ name: "gemini", available: true }],
    );

  it("makes a new queued run with the same settings, owned by the person who retried, and queues its job", async () => {
    await offerEverything();
    const original = await submit({
      repo: "app",
      baseBranch: "release/1.2",
      prompt: "fix the flaky date test\nand say why it was flaky",
      executor: "agent",
      approvalMode: "all",
      model: "claude-test-model",
      maxTurns: 7,
      timeoutSec: 600,
      inputTimeoutSec: 900,
      priority: "high",
    });
    await failRun(original.id);
    expect((await getRun(original.id)).status).toBe("failed");

    const res = await retry(original.id, alice);
    expect(res.status).toBe(201);
    const retried = (await res.json()) as RunJson;
    expect(retried.id).not.toBe(original.id);
    expect(retried).toMatchObject({ status: "queued", userId: alice.userId, title: original.title, attempt: 0, error: null });
    for (const field of SETTINGS) expect(retried[field], field).toEqual(original[field]);
    expect(retried.branch).not.toBe(original.branch);

    const job = await jobOf(retried.id);
    expect(job).toMatchObject({ runId: retried.id, baseBranch: "release/1.2", executor: "agent", approvalMode: "all", model: "claude-test-model", maxTurns: 7, timeoutSec: 600, inputTimeoutSec: 900 });
    const events = await readRunEvents((await getApp()).eventLog, retried.id, "0");
    expect(events.map((e) => e.event.type)).toEqual(["run.queued"]);
    // The failed run stays as it was.
    expect((await getRun(original.id)).status).toBe("failed");
  });

  it("retries a cancelled shell command and an ACP agent's run with their command and agent", async () => {
    await offerEverything();
    const command = await submit({ repo: "app", command: "npm test -- --runInBand" });
    expect((await call(cancelRoute, `/api/runs/${command.id}/cancel`, { as: alice, method: "POST", params: { id: command.id } })).status).toBe(200);
    await recorder.settle();
    expect((await getRun(command.id)).status).toBe("cancelled");
    const retriedCommand = (await (await retry(command.id, alice)).json()) as RunJson;
    expect(retriedCommand).toMatchObject({ executor: "cli", command: "npm test -- --runInBand", model: null, status: "queued" });
    expect((await jobOf(retriedCommand.id))?.command).toBe("npm test -- --runInBand");

    const acp = await submit({ repo: "app", executor: "acp", acpAgent: "gemini", prompt: "tidy the README" });
    await failRun(acp.id);
    const retriedAcp = (await (await retry(acp.id, alice)).json()) as RunJson;
    expect(retriedAcp).toMatchObject({ executor: "acp", acpAgent: "gemini", prompt: "tidy the README" });
    expect((await jobOf(retriedAcp.id))?.acpAgent).toMatchObject({ name: "gemini", command: "gemini" });
  });

  it("answers a repeated retry with the run the first one made, never a second run", async () => {
    const original = await submit({ repo: "app", command: "make check" });
    await failRun(original.id);
    const [first, second] = await Promise.all([retry(original.id, alice), retry(original.id, alice)]);
    const firstRun = (await first.json()) as RunJson;
    const secondRun = (await second.json()) as RunJson;
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(secondRun.id).toBe(firstRun.id);
    const third = await retry(original.id, alice);
    expect(third.headers.get("Idempotent-Replayed")).toBe("true");
    expect(((await third.json()) as RunJson).id).toBe(firstRun.id);
    const made = await (await getApp()).db.select({ id: run.id }).from(run).where(eq(run.idempotencyKey, `retry-of-${original.id}`));
    expect(made).toEqual([{ id: firstRun.id }]);
  });

  it("refuses a run that is queued, running or awaiting review (409), saying why", async () => {
    const queued = await submit({ repo: "app", command: "true" });
    const res = await retry(queued.id, alice);
    expect(res.status).toBe(409);
    expect((await errorOf(res)).message).toBe("The run is queued; only a failed or cancelled run can be retried");

    const running = await submit({ repo: "app", command: "sleep 100" });
    await playRun(running.id);
    expect((await getRun(running.id)).status).toBe("running");
    expect((await retry(running.id, alice)).status).toBe(409);

    const reviewing = await submit({ repo: "app", command: "echo hi > hi.txt" });
    await playRun(reviewing.id, { type: "run.awaiting_review", branch: "agentdesk/x-1", headSha: "b".repeat(40) });
    expect((await getRun(reviewing.id)).status).toBe("awaiting_review");
    const refused = await retry(reviewing.id, alice);
    expect(refused.status).toBe(409);
    expect((await errorOf(refused)).message).toMatch(/The run is awaiting review/);
    expect(await (await getApp()).db.select({ id: run.id }).from(run).where(eq(run.idempotencyKey, `retry-of-${reviewing.id}`))).toEqual([]);
  });

  it("hides another team's run (404), lets a team admin retry it as their own, and asks a stranger to sign in", async () => {
    const original = await submit({ repo: "app", command: "make lint" });
    await failRun(original.id);
    const foreign = await retry(original.id, bob);
    expect(foreign.status).toBe(404);
    expect((await errorOf(foreign)).message).toBe("Run not found");
    expect((await retry(original.id)).status).toBe(401);
    expect((await retry("00000000-0000-4000-8000-000000000000", alice)).status).toBe(404);
    expect((await retry("not-a-run-id", alice)).status).toBe(404);

    const byAdmin = await retry(original.id, admin);
    expect(byAdmin.status).toBe(201);
    expect(((await byAdmin.json()) as RunJson).userId).toBe(admin.userId);
  });

  it("refuses like a submit when the run's executor is no longer offered (422 naming executor)", async () => {
    await offerEverything();
    const original = await submit({ repo: "app", prompt: "write the changelog", executor: "agent" });
    await failRun(original.id);
    await withdrawTestWorker(WORKER);
    const res = await retry(original.id, alice);
    expect(res.status).toBe(422);
    expect((await errorOf(res)).issues?.[0]?.path).toBe("executor");
  });
});
