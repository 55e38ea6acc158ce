import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as listInputsRoute } from "@/app/api/inputs/route";
import { POST as answerRoute } from "@/app/api/runs/[id]/inputs/[requestId]/route";
import { GET as getRunRoute } from "@/app/api/runs/[id]/route";
import { POST as createRunRoute, GET as listRunsRoute } from "@/app/api/runs/route";
import { PUT as setLimitRoute } from "@/app/api/team/budgets/route";
import { budgetKeys, monthOf } from "@/lib/contracts/budgets";
import { getApp } from "@/lib/server/app";
import type { RunEventOf } from "@/lib/events";
import { allEvents, eventually } from "../jobs/helpers";
import { createTestRepo, type TestRepo } from "../support/gitRepo";
import { startFakeAnthropic, turn, type FakeAnthropic, type RecordedRequest } from "../support/fakeAnthropic";
import { call, registerRepo, signUp, type Session } from "../support/web";
import { startWebWorker } from "../support/webWorker";

/**
 * The team's monthly spending limits through the whole pipeline: the web (API, recorder) and a
 * job process (BullMQ worker) on real Redis, git and database, the model API faked and scripted
 * to report usage. Every model turn costs $0.30 (100 000 input tokens of claude-sonnet-4-6 at
 * $3 per million). A run whose next turn would cross a limit stops at the turn boundary with a
 * `budget` request, gives back its worker slot, and waits for a team admin: a raise continues
 * it where it stopped (a raise still too low asks again); "stop" ends it failed.
 */
const TURN_USAGE = { input_tokens: 100_000, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };

// Turn 1 writes one.txt, turn 2 writes two.txt, turn 3 ends: chosen by the conversation's length.
function twoWritesThenDone(request: RecordedRequest) {
  const n = request.body.messages.length;
  if (n === 1) return turn.tool("write_file", { path: "one.txt", content: "one\n" }, { usage: TURN_USAGE });
  if (n === 3) return turn.tool("write_file", { path: "two.txt", content: "two\n" }, { usage: TURN_USAGE });
  return turn.text("Both files written.", { usage: TURN_USAGE });
}

let admin: Session;
let alice: Session;
let repo: TestRepo;
let fake: FakeAnthropic;
let jobProcess: Awaited<ReturnType<typeof startWebWorker>>;

beforeAll(async () => {
  fake = await startFakeAnthropic(twoWritesThenDone);
  process.env.ANTHROPIC_API_KEY = "sk-ant-budget-test";
  process.env.ANTHROPIC_BASE_URL = fake.url;
  // The first account: the instance admin and the first team's owner; alice joins it as a member.
  admin = await signUp("admin-budget@example.com");
  alice = await signUp("alice-budget@example.com");
  repo = await createTestRepo({ files: { "README.md": "hello\n" } });
  expect((await registerRepo(admin, { name: "budgeted", url: repo.url })).status).toBe(201);
  jobProcess = await startWebWorker("budget-test");
}, 120_000);

afterAll(async () => {
  await jobProcess?.stop();
  await fake?.close();
  await repo?.remove();
  delete process.env.ANTHROPIC_API_KEY;
  delete process.env.ANTHROPIC_BASE_URL;
});

type RunView = { status: string; error: string | null; costUsd: number; branch: string; pendingInputs?: { requestId: string; kind: string; input: unknown }[] };

async function startRun(): Promise<string> {
  const res = await call(createRunRoute, "/api/runs", {
    as: alice,
    body: { repo: "budgeted", prompt: "write two files", executor: "agent", approvalMode: "auto", model: "claude-sonnet-4-6" },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

const runOf = async (id: string) => (await (await call(getRunRoute, `/api/runs/${id}`, { as: alice, params: { id } })).json()) as RunView;

async function waitForStatus(id: string, status: string, timeoutMs = 60_000): Promise<RunView> {
  return eventually(async () => {
    const current = await runOf(id);
    if (["failed", "cancelled", "completed"].includes(current.status) && current.status !== status) {
      throw new Error(`run ${id} ended ${current.status} (${current.error}) instead of ${status}`);
    }
    return current.status === status ? current : undefined;
  }, timeoutMs);
}

const setLimit = (as: Session, body: unknown) => call(setLimitRoute, "/api/team/budgets", { as, method: "PUT", body });
const answer = (as: Session, id: string, requestId: string, body: unknown) =>
  call(answerRoute, `/api/runs/${id}/inputs/${requestId}`, { as, body, params: { id, requestId } });
const needsMe = async (as: Session) =>
  ((await (await call(listRunsRoute, "/api/runs?needsMe=1", { as })).json()) as { runs: { id: string }[] }).runs.map((r) => r.id);
const inbox = async (as: Session) =>
  ((await (await call(listInputsRoute, "/api/inputs", { as })).json()) as { inputs: { runId: string; requestId: string; kind: string }[] }).inputs;

/** The run's pending budget request once it waits for one, with its job suspended and no worker slot held. */
async function waitingOnBudget(id: string, requestId: string) {
  const run = await waitForStatus(id, "waiting_input");
  const app = await getApp();
  await eventually(async () => ((await app.queue.getJobState(id)) === "delayed" ? true : undefined));
  // Moved to the delayed set a moment before its processor returns and frees the slot.
  await eventually(async () => (jobProcess.worker.activeRuns() === 0 ? true : undefined));
  const pending = await eventually(async () => {
    const current = await runOf(id);
    return current.pendingInputs?.find((r) => r.requestId === requestId);
  });
  expect(pending.kind).toBe("budget");
  return { run, pending };
}

/** The files the run's review diff holds. */
async function filesInDiff(id: string): Promise<string[]> {
  const ready = (await allEvents((await getApp()).eventLog, id)).filter((e): e is RunEventOf<"diff.ready"> => e.type === "diff.ready");
  return ready.at(-1)?.files.map((f) => f.path) ?? [];
}

describe("a run held to its team's monthly spending limit", () => {
  it("pauses before the turn that would cross the team limit, asks only team admins, and continues once raised enough", async () => {
    // Turn 1 ($0.30 spent, +$0.30 = $0.60) fits; after turn 2 ($0.60 + $0.30 = $0.90) does not.
    expect((await setLimit(admin, { scope: "team", limitUsd: 0.8 })).status).toBe(200);
    // Members cannot set limits.
    expect((await setLimit(alice, { scope: "team", limitUsd: 100 })).status).toBe(403);

    const id = await startRun();
    const { pending } = await waitingOnBudget(id, "budget-m4-0");
    expect(pending.input).toMatchObject({ scope: "team", limitUsd: 0.8, month: monthOf(new Date()) });
    expect((pending.input as { spendUsd: number }).spendUsd).toBeCloseTo(0.6, 6);
    expect(fake.requests).toHaveLength(2);

    // It is the team admins' question: in the admin's inbox, not in the run's owner's, and the owner may not answer it.
    expect((await inbox(admin)).map((r) => r.requestId)).toContain("budget-m4-0");
    expect((await inbox(alice)).some((r) => r.runId === id)).toBe(false);
    expect(await needsMe(admin)).toContain(id);
    expect(await needsMe(alice)).not.toContain(id);
    const refused = await answer(alice, id, "budget-m4-0", { decision: "approve", limitUsd: 100 });
    expect(refused.status).toBe(403);
    // A raise must name the new limit.
    const unnamed = await answer(admin, id, "budget-m4-0", { decision: "approve" });
    expect(unnamed.status).toBe(400);
    expect(await unnamed.text()).toContain("limitUsd");

    // A raise still below what the next turn needs: the run asks again.
    expect((await answer(admin, id, "budget-m4-0", { decision: "approve", limitUsd: 0.85 })).status).toBe(200);
    await waitingOnBudget(id, "budget-m4-1");
    expect(fake.requests).toHaveLength(2);
    const raised = await answer(admin, id, "budget-m4-1", { decision: "approve", limitUsd: 5 });
    expect(raised.status, await raised.clone().text()).toBe(200);

    // It continues from where it stopped: turn 2's call runs, turn 3 ends the run; no turn asked twice.
    const done = await waitForStatus(id, "awaiting_review");
    expect(fake.requests).toHaveLength(3);
    expect(done.costUsd).toBeCloseTo(0.9, 6);
    expect((await filesInDiff(id)).sort()).toEqual(["one.txt", "two.txt"]);
    // The limit the admin set is the one in force, in the database and for the job processes.
    const app = await getApp();
    const team = (await app.db.query.teamBudget.findMany())[0];
    expect(team?.monthlyLimitUsd).toBe(5);
    expect(await app.redis.hget(budgetKeys(app.config.redisPrefix).limits(team!.teamId), "team")).toBe("5");
  });

  it("stops the run when a team admin answers stop, at the member's own limit", async () => {
    fake.requests.length = 0;
    // alice spent $0.90 this month: her $1.00 limit is crossed before the new run's second turn.
    expect((await setLimit(admin, { scope: "user", userId: alice.userId, limitUsd: 1 })).status).toBe(200);
    const id = await startRun();
    const { pending } = await waitingOnBudget(id, "budget-m2-0");
    expect(pending.input).toMatchObject({ scope: "user", limitUsd: 1, userId: alice.userId });
    expect((pending.input as { spendUsd: number }).spendUsd).toBeCloseTo(1.2, 6);

    expect((await answer(admin, id, "budget-m2-0", { decision: "deny", note: "over budget this month" })).status).toBe(200);
    const failed = await waitForStatus(id, "failed");
    expect(failed.error).toContain("stopped at the member's monthly spending limit of $1.00 by admin-budget@example.com");
    expect(fake.requests).toHaveLength(1);
  });
});
