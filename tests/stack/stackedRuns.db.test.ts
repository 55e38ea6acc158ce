import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as cancelRoute } from "@/app/api/runs/[id]/cancel/route";
import { POST as continueRoute } from "@/app/api/runs/[id]/continue/route";
import { GET as diffRoute } from "@/app/api/runs/[id]/diff/route";
import { POST as reviewRoute } from "@/app/api/runs/[id]/review/route";
import { GET as getRunRoute } from "@/app/api/runs/[id]/route";
import { POST as createRunRoute } from "@/app/api/runs/route";
import { eq } from "drizzle-orm";
import { run } from "@/lib/db/schema";
import { readRunEvents } from "@/lib/eventLog";
import type { RunEvent } from "@/lib/events";
import { projectEvent } from "@/lib/projection";
import { startRecorder, type Recorder } from "@/lib/recorder";
import type { RunLineage } from "@/lib/services/runLineage";
import { startReconciler } from "@/lib/server/reconciler";
import { reconcileRun } from "@/lib/server/reconcileRun";
import { eventually } from "../jobs/helpers";
import { createTestRepo, git, type TestRepo } from "../support/gitRepo";
import { call, getApp, registerRepo, signUp, type Session } from "../support/web";
import { startWebWorker } from "../support/webWorker";

/**
 * Stacked and dependent runs through the real pipeline: web API, queue, a real job process
 * (shell-command runs in the sandbox, real git with a bare remote), the recorder that settles
 * waiting runs, the reconciler, and the database.
 */
type RunView = { id: string; status: string; error: string | null; headSha: string | null; baseSha: string | null; branch: string; baseBranch: string; lineage?: RunLineage };
type ErrorBody = { error: { code: string; message: string; issues?: { path: string; message: string }[] } };

let admin: Session;
let alice: Session;
let repo: TestRepo;
let jobProcess: Awaited<ReturnType<typeof startWebWorker>>;
let recorder: Recorder | null = null;

const startWebRecorder = async () => {
  const app = await getApp();
  recorder = startRecorder({ db: app.db, redisUrl: app.config.redisUrl, namespace: app.config.redisPrefix, blockMs: 100 });
};

beforeAll(async () => {
  admin = await signUp("admin-stack@example.com");
  alice = await signUp("alice-stack@example.com");
  repo = await createTestRepo({ files: { "README.md": "hello\n" } });
  expect((await registerRepo(admin, { name: "stack", url: repo.url })).status).toBe(201);
  jobProcess = await startWebWorker("stack-test", { recorder: false });
  await startWebRecorder();
}, 120_000);

afterAll(async () => {
  await recorder?.stop();
  await jobProcess?.stop();
  await repo?.remove();
});

async function submit(command: string, extra: Record<string, unknown> = {}): Promise<RunView> {
  const res = await call(createRunRoute, "/api/runs", { as: alice, body: { repo: "stack", executor: "cli", command, approvalMode: "auto", ...extra } });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as RunView;
}
async function continueFrom(id: string, command: string): Promise<RunView> {
  const res = await call(continueRoute, `/api/runs/${id}/continue`, { as: alice, method: "POST", params: { id }, body: { command } });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as RunView;
}
const getRun = async (id: string) => (await (await call(getRunRoute, `/api/runs/${id}`, { as: alice, params: { id } })).json()) as RunView;
const decide = (id: string, body: unknown) => call(reviewRoute, `/api/runs/${id}/review`, { as: alice, method: "POST", params: { id }, body });

async function waitForStatus(id: string, status: string, timeoutMs = 60_000): Promise<RunView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const current = await getRun(id);
    if (current.status === status) return current;
    if (Date.now() > deadline) throw new Error(`run ${id} is ${current.status} (${current.error}), not ${status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const eventsOf = async (id: string): Promise<RunEvent[]> => (await readRunEvents((await getApp()).eventLog, id, "0")).map((e) => e.event);
const firstAt = async (id: string, type: string) => {
  const found = (await eventsOf(id)).find((e) => e.type === type);
  if (!found) throw new Error(`run ${id} has no ${type}`);
  return Date.parse(found.at);
};

describe("stacked runs", () => {
  it("continues an unpushed run: the child's workspace has the parent's file, its diff only its own, pushed only after its parent", async () => {
    const parent = await submit("echo A > a.txt");
    const reviewed = await waitForStatus(parent.id, "awaiting_review");
    // Nothing on the remote: the child's job restores the parent's branch from its bundle.
    expect(await repo.remoteSha(reviewed.branch)).toBeNull();

    // The child copies the parent's file: it can only if its workspace has it.
    const child = await continueFrom(parent.id, "cp a.txt b.txt && echo B >> b.txt");
    expect(child.baseBranch).toBe(reviewed.branch);
    const done = await waitForStatus(child.id, "awaiting_review");
    expect(done.baseSha).toBe(reviewed.headSha);
    const diff = (await (await call(diffRoute, `/api/runs/${child.id}/diff`, { as: alice, params: { id: child.id } })).json()) as { files: { path: string }[]; patch: string };
    expect(diff.files.map((f) => f.path)).toEqual(["b.txt"]);
    expect(diff.patch).toContain("+A\n+B");

    const page = await getRun(child.id);
    expect(page.lineage?.stack?.chain.map((r) => r.runId)).toEqual([parent.id]);
    expect(page.lineage?.stack?.parentChangedSince).toBe(false);
    expect((await getRun(parent.id)).lineage?.derived).toEqual([expect.objectContaining({ kind: "stack", runId: child.id })]);

    // Out of order: the child's pull request would target a branch the remote does not have.
    const early = await decide(child.id, { action: "push" });
    expect(early.status).toBe(409);
    expect(((await early.json()) as ErrorBody).error.message).toContain(parent.id);
    // Its base is still needed: the parent is not discarded under it.
    const discard = await decide(parent.id, { action: "discard" });
    expect(discard.status).toBe(409);
    expect(((await discard.json()) as ErrorBody).error.message).toContain(child.id);

    expect((await decide(parent.id, { action: "push" })).status).toBe(201);
    await waitForStatus(parent.id, "pushed");
    expect((await decide(child.id, { action: "push" })).status).toBe(201);
    await waitForStatus(child.id, "pushed");
    // On the remote, the child's branch sits on the parent's.
    expect(await git(repo.url, "rev-parse", `${done.branch}^`)).toBe(reviewed.headSha);
  }, 120_000);

  it("continuing a run still at work waits for it, then starts at its head", async () => {
    const parent = await submit("sleep 2 && echo A > a.txt");
    const child = await continueFrom(parent.id, "cp a.txt c.txt");
    expect((await waitForStatus(child.id, "waiting_dependencies")).lineage?.dependsOn).toEqual([expect.objectContaining({ runId: parent.id })]);
    const reviewed = await waitForStatus(parent.id, "awaiting_review");
    const done = await waitForStatus(child.id, "awaiting_review");
    expect(done.baseSha).toBe(reviewed.headSha);
    expect(await firstAt(child.id, "run.started")).toBeGreaterThanOrEqual(await firstAt(parent.id, "run.awaiting_review"));
  }, 90_000);
});

describe("dependent runs", () => {
  it("waits while its two parents run and starts after both finished their work", async () => {
    const first = await submit("sleep 1 && echo 1 > one.txt");
    const second = await submit("sleep 3 && echo 2 > two.txt");
    const dependent = await submit("echo 3 > three.txt", { dependsOn: [first.id, second.id] });
    const waiting = await waitForStatus(dependent.id, "waiting_dependencies");
    expect(waiting.lineage?.dependsOn.map((d) => d.runId).sort()).toEqual([first.id, second.id].sort());
    await waitForStatus(first.id, "awaiting_review");
    // One done, one at work: still waiting, no job.
    expect((await getRun(dependent.id)).status).toBe("waiting_dependencies");
    expect(await (await getApp()).queue.getJob(dependent.id)).toBeUndefined();
    await waitForStatus(second.id, "awaiting_review");
    await waitForStatus(dependent.id, "awaiting_review");
    expect(await firstAt(dependent.id, "run.started")).toBeGreaterThanOrEqual(await firstAt(second.id, "run.awaiting_review"));
    // Released exactly once, with one start.
    const events = await eventsOf(dependent.id);
    expect(events.filter((e) => e.type === "run.released")).toHaveLength(1);
    expect(events.filter((e) => e.type === "run.started")).toHaveLength(1);
  }, 90_000);

  it("is cancelled, naming the dependency, when it fails", async () => {
    const parent = await submit("sleep 1 && exit 3");
    const dependent = await submit("echo never > never.txt", { dependsOn: [parent.id] });
    await waitForStatus(parent.id, "failed");
    const cancelled = await waitForStatus(dependent.id, "cancelled");
    const reason = (await eventsOf(dependent.id)).find((e) => e.type === "run.cancelled");
    expect(reason).toMatchObject({ reason: expect.stringContaining(parent.id) });
    expect(cancelled.status).toBe("cancelled");
    expect((await eventsOf(dependent.id)).some((e) => e.type === "run.started")).toBe(false);
  }, 60_000);

  it("can be cancelled while it waits", async () => {
    const parent = await submit("sleep 2 && echo p > p.txt");
    const dependent = await submit("echo d > d.txt", { dependsOn: [parent.id] });
    await waitForStatus(dependent.id, "waiting_dependencies");
    const res = await call(cancelRoute, `/api/runs/${dependent.id}/cancel`, { as: alice, method: "POST", params: { id: dependent.id } });
    expect(res.status).toBe(200);
    await waitForStatus(dependent.id, "cancelled");
    await waitForStatus(parent.id, "awaiting_review");
    // The parent's success does not bring it back.
    await new Promise((r) => setTimeout(r, 500));
    expect((await getRun(dependent.id)).status).toBe("cancelled");
    expect((await eventsOf(dependent.id)).some((e) => e.type === "run.released")).toBe(false);
  }, 60_000);

  it.each([
    [{ dependsOn: ["not-a-uuid"] }, "dependsOn.0"],
    [{ dependsOn: ["7b0c1f7e-4e55-4a53-9a1e-0d6b2a0c9f11"] }, "dependsOn"],
    [{ dependsOn: Array.from({ length: 11 }, () => crypto.randomUUID()) }, "dependsOn"],
  ])("refuses %j with a 400 naming the field", async (extra, field) => {
    const res = await call(createRunRoute, "/api/runs", { as: alice, body: { repo: "stack", executor: "cli", command: "true", ...extra } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.issues?.map((i) => i.path)).toContain(field);
  });

  it("refuses to wait for a run that already failed", async () => {
    const failed = await submit("exit 1");
    await waitForStatus(failed.id, "failed");
    const res = await call(createRunRoute, "/api/runs", { as: alice, body: { repo: "stack", executor: "cli", command: "true", dependsOn: [failed.id] } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.message).toContain("failed");
  }, 60_000);

  it("still starts when the web dies between its dependency's success and the release", async () => {
    // The web is down: events stay in Redis, nothing is projected or settled.
    await recorder!.stop();
    recorder = null;
    const app = await getApp();
    const parent = await submit("sleep 1 && echo x > x.txt");
    const dependent = await submit("echo y > y.txt", { dependsOn: [parent.id] });
    // Queued in the database (nothing projected), waiting in its stream: the reconciler must not
    // take it for a queued run that lost its job while its dependency is still at work.
    await expect(reconcileRun(app, dependent.id)).resolves.toBe("ok");
    expect(await app.queue.getJob(dependent.id)).toBeUndefined();
    const deadline = Date.now() + 30_000;
    while (!(await eventsOf(parent.id)).some((e) => e.type === "run.awaiting_review")) {
      if (Date.now() > deadline) throw new Error("the parent did not finish");
      await new Promise((r) => setTimeout(r, 100));
    }
    // The killed web had written the parent's events into the database, and died before settling.
    for (const { id, event } of await readRunEvents(app.eventLog, parent.id, "0")) await projectEvent(app.db, id, event);
    const [projected] = await app.db.select({ status: run.status }).from(run).where(eq(run.id, parent.id));
    expect(projected?.status).toBe("awaiting_review");
    expect(await app.queue.getJob(dependent.id)).toBeUndefined();
    // The restarted web's reconciler settles it with its start-up scan (no recorder yet).
    const reconciler = startReconciler(app, { settleMs: 0, intervalMs: 3_600_000 });
    try {
      await eventually(async () => ((await eventsOf(dependent.id)).some((e) => e.type === "run.released") ? true : undefined), 20_000);
      expect(await app.queue.getJob(dependent.id)).toBeDefined();
    } finally {
      await reconciler.stop();
    }
    await startWebRecorder();
    await waitForStatus(dependent.id, "awaiting_review");
    expect((await eventsOf(dependent.id)).filter((e) => e.type === "run.released")).toHaveLength(1);
  }, 90_000);
});
