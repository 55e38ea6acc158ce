import fs from "node:fs/promises";
import path from "node:path";
import { eq, getTableName, type Table } from "drizzle-orm";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as review } from "@/app/api/runs/[id]/review/route";
import { GET as getRunRoute } from "@/app/api/runs/[id]/route";
import { POST as createRunRoute } from "@/app/api/runs/route";
import { mirrorPath } from "@/jobs/git/mirror";
import { runRepoPath } from "@/jobs/git/runRepo";
import { createLogger } from "@/jobs/logger";
import { createRunWorker, type RunWorker } from "@/jobs/worker";
import { knownSecretValues, loadConfig } from "@/lib/config";
import { reviewDecision, run, schema } from "@/lib/db/schema";
import { startRecorder, type Recorder } from "@/lib/recorder";
import { createRedis } from "@/lib/redis";
import { createTestRepo, git, type TestRepo } from "../support/gitRepo";
import { startGitHttpServer, type GitHttpServer } from "../support/gitHttpServer";
import { call, getApp, otherTeam, registerRepo, signUp, type Session } from "../support/web";

const TOKEN = "adk-test-push-token-7f3a9c21e5";
const WRONG_TOKEN = "adk-test-wrong-token-0b8d44e1";
const CREDENTIAL_ENV = "REVIEW_TEST_GIT_TOKEN";

type ErrorBody = { error: { code: string; message: string; issues?: { path: string; message: string }[] } };
type DecisionBody = { decision: { id: string; action: string; by: string }; repeated: boolean };

let admin: Session;
let alice: Session;
let bob: Session;
let repo: TestRepo;
let server: GitHttpServer;
let worker: RunWorker;
let workerRedis: Redis;
let recorder: Recorder;
const logLines: string[] = [];
const config = loadConfig();

beforeAll(async () => {
  process.env[CREDENTIAL_ENV] = TOKEN;
  admin = await signUp("admin@example.com");
  alice = await signUp("alice-review@example.com");
  // Bob works in another team.
  bob = (await otherTeam()).owner;
  repo = await createTestRepo({ files: { "README.md": "hello\n", "src/app.ts": "export const a = 1;\n" } });
  server = await startGitHttpServer(repo.root, TOKEN);
  const res = await registerRepo(admin, { name: "private", url: server.urlOf("remote.git"), credentialEnv: CREDENTIAL_ENV });
  expect(res.status).toBe(201);
  expect((await registerRepo(admin, { name: "local", url: repo.url })).status).toBe(201);

  const app = await getApp();
  recorder = startRecorder({ db: app.db, redisUrl: config.redisUrl, namespace: config.redisPrefix, blockMs: 200 });
  workerRedis = createRedis(config.redisUrl, "worker");
  // The job process's log, captured: the credential must never be in it either.
  const logger = createLogger(knownSecretValues(), {}, (line) => logLines.push(line));
  worker = await createRunWorker({ config, redis: workerRedis, logger });
}, 120_000);

afterAll(async () => {
  await worker?.close(5_000);
  await recorder?.stop();
  workerRedis?.disconnect();
  await server?.close();
  await repo?.remove();
  delete process.env[CREDENTIAL_ENV];
});

async function startRun(as: Session, repoName: string, command = "echo pushed > pushed.txt"): Promise<string> {
  const res = await call(createRunRoute, "/api/runs", { as, body: { repo: repoName, command } });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function statusOf(id: string, as: Session = alice): Promise<{ status: string; error: string | null; headSha: string | null }> {
  const res = await call(getRunRoute, `/api/runs/${id}`, { as, params: { id } });
  return (await res.json()) as { status: string; error: string | null; headSha: string | null };
}

async function waitForStatus(id: string, status: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const current = await statusOf(id);
    if (current.status === status) return current;
    if (Date.now() > deadline) throw new Error(`run ${id} is ${current.status} (${current.error}), not ${status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const decide = (id: string, body: unknown, as: Session = alice) => call(review, `/api/runs/${id}/review`, { as, body, params: { id } });
const errorOf = async (res: Response) => ((await res.json()) as ErrorBody).error;

async function agentdeskBranchesOnRemote(): Promise<string> {
  return git(repo.url, "for-each-ref", "--format=%(refname)", "refs/heads/agentdesk/");
}

/** Every place a credential could leak to, as text. */
async function everythingToScan(): Promise<Record<string, string>> {
  const app = await getApp();
  const out: Record<string, string> = {};
  for (const table of Object.values(schema) as Table[]) {
    out[`db:${getTableName(table)}`] = JSON.stringify(await app.db.select().from(table));
  }
  const keys = await app.redis.keys(`${config.redisPrefix}*`);
  for (const key of keys) {
    const type = await app.redis.type(key);
    if (type === "stream") out[`redis:${key}`] = JSON.stringify(await app.redis.xrange(key, "-", "+"));
    else if (type === "string") out[`redis:${key}`] = (await app.redis.get(key)) ?? "";
    else if (type === "hash") out[`redis:${key}`] = JSON.stringify(await app.redis.hgetall(key));
  }
  out.logs = logLines.join("\n");
  out.remoteConfig = await fs.readFile(path.join(repo.url, "config"), "utf8");
  const mirror = mirrorPath(config.dataDir, server.urlOf("remote.git"));
  for (const name of ["config", "FETCH_HEAD", "packed-refs"]) {
    out[`mirror:${name}`] = await fs.readFile(path.join(mirror, name), "utf8").catch(() => "");
  }
  // Every run's own repository (config, refs) and any attempt folder left behind (its index, its `.git`).
  const runs = path.join(config.dataDir, "runs");
  for (const file of await fs.readdir(runs, { recursive: true }).catch(() => [] as string[])) {
    if (!/(^|\/)(config|packed-refs|HEAD|FETCH_HEAD|index|owner\.json)$/.test(file)) continue;
    out[`runs:${file}`] = await fs.readFile(path.join(runs, file), "latin1").catch(() => "");
  }
  out.requestUrls = server.requests.map((r) => r.url).join("\n");
  return out;
}

async function expectNoCredentialAnywhere() {
  const places = await everythingToScan();
  expect(Object.keys(places).length).toBeGreaterThan(10);
  for (const [place, text] of Object.entries(places)) {
    for (const secret of [TOKEN, WRONG_TOKEN]) {
      expect(text.includes(secret), `${place} contains a credential`).toBe(false);
    }
  }
}

describe("review of a run on an HTTP remote that needs a token", () => {
  let runId: string;

  it("reaches review with nothing on the remote", async () => {
    runId = await startRun(alice, "private");
    await waitForStatus(runId, "awaiting_review");
    expect(await agentdeskBranchesOnRemote()).toBe("");
  });

  it("answers 400, 404 and 422 for bad decisions, deciding nothing", async () => {
    const bad = await decide(runId, { action: "merge" });
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).issues?.map((i) => i.path)).toContain("action");

    const noFeedback = await decide(runId, { action: "request_changes" });
    expect(noFeedback.status).toBe(400);
    expect((await errorOf(noFeedback)).issues?.map((i) => i.path)).toContain("feedback");

    const notYours = await decide(runId, { action: "push" }, bob);
    expect(notYours.status).toBe(404);
    const notARun = await decide("00000000-0000-4000-8000-000000000000", { action: "push" });
    expect(notARun.status).toBe(404);

    const cli = await decide(runId, { action: "request_changes", feedback: "also add a test" });
    expect(cli.status).toBe(422);
    expect((await errorOf(cli)).message).toContain("a shell-command run cannot take feedback; start a new run");

    const pr = await decide(runId, { action: "push", pullRequest: true });
    expect(pr.status).toBe(422);
    expect((await errorOf(pr)).issues?.map((i) => i.path)).toContain("pullRequest");

    const app = await getApp();
    expect(await app.db.select().from(reviewDecision).where(eq(reviewDecision.runId, runId))).toHaveLength(0);
    expect((await statusOf(runId)).status).toBe("awaiting_review");
  });

  it("makes one decision of a double click and pushes the branch once", async () => {
    const [first, second] = await Promise.all([decide(runId, { action: "push" }), decide(runId, { action: "push" })]);
    expect([first.status, second.status].sort()).toEqual([200, 201]);
    const bodies = (await Promise.all([first.json(), second.json()])) as DecisionBody[];
    expect(bodies[0]!.decision.id).toBe(bodies[1]!.decision.id);
    expect(bodies[0]!.decision).toMatchObject({ action: "push", by: alice.email });

    const pushed = await waitForStatus(runId, "pushed");
    const app = await getApp();
    const [row] = await app.db.select().from(run).where(eq(run.id, runId));
    expect(await repo.remoteSha(row!.branch)).toBe(pushed.headSha);
    expect(await agentdeskBranchesOnRemote()).toBe(`refs/heads/${row!.branch}`);
    const decisions = await app.db.select().from(reviewDecision).where(eq(reviewDecision.runId, runId));
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({ action: "push", headSha: pushed.headSha, userId: alice.userId, byEmail: alice.email });

    const again = await decide(runId, { action: "discard" });
    expect(again.status).toBe(409);
    expect((await errorOf(again)).message).toMatch(/The run is pushed/);
    // The remote was asked with the token as a password, never in a URL.
    expect(server.requests.some((r) => r.authorized)).toBe(true);
  });

  it("returns to review with the reason when the push is refused, and a retry pushes", async () => {
    const second = await startRun(alice, "private", "echo second > second.txt");
    await waitForStatus(second, "awaiting_review");
    process.env[CREDENTIAL_ENV] = WRONG_TOKEN;
    try {
      expect((await decide(second, { action: "push" })).status).toBe(201);
      const failed = await waitForStatus(second, "awaiting_review");
      await expect.poll(async () => (await statusOf(second)).error, { timeout: 20_000 }).toMatch(/push failed/);
      expect(failed.status).toBe("awaiting_review");
    } finally {
      process.env[CREDENTIAL_ENV] = TOKEN;
    }
    await expectNoCredentialAnywhere();

    expect((await decide(second, { action: "push" })).status).toBe(201);
    const pushed = await waitForStatus(second, "pushed");
    expect(pushed.error).toBeNull();
    await recorder.settle();
    await expectNoCredentialAnywhere();
  });
});

describe("discard", () => {
  it("leaves the remote alone and removes the run's repository (its branch)", async () => {
    const id = await startRun(alice, "local", "echo discard-me > gone.txt");
    await waitForStatus(id, "awaiting_review");
    const remoteBefore = await git(repo.url, "for-each-ref");
    const res = await decide(id, { action: "discard" });
    expect(res.status).toBe(201);
    // The decision's event is projected before the answer: the status has moved already.
    expect(((await res.json()) as { status: string }).status).toBe("discarded");
    expect((await statusOf(id)).status).toBe("discarded");
    const app = await getApp();
    const [row] = await app.db.select().from(run).where(eq(run.id, id));
    expect(row!.branch).toMatch(/^agentdesk\//);
    const runRepo = runRepoPath(config.dataDir, id);
    await expect.poll(() => fs.access(runRepo).then(() => "there", () => "gone"), { timeout: 20_000 }).toBe("gone");
    expect(await git(repo.url, "for-each-ref")).toBe(remoteBefore);
    expect((await decide(id, { action: "discard" })).status).toBe(200);
    expect((await decide(id, { action: "push" })).status).toBe(409);
  });
});

describe("repositories on GitHub", () => {
  it("derive owner/name from a github.com URL, or take it as given", async () => {
    const derived = await registerRepo(admin, { name: "gh-derived", url: "git@github.com:acme/widgets.git", credentialEnv: "GITHUB_TOKEN" });
    expect(((await derived.json()) as { githubRepo: string }).githubRepo).toBe("acme/widgets");
    const given = await registerRepo(admin, { name: "gh-given", url: repo.url, githubRepo: "acme/local" });
    expect(((await given.json()) as { githubRepo: string }).githubRepo).toBe("acme/local");
    const bad = await registerRepo(admin, { name: "gh-bad", url: repo.url, githubRepo: "not a repo" });
    expect(bad.status).toBe(400);
  });
});
