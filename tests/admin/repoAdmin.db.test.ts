import crypto from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Worker } from "bullmq";
import { eq } from "drizzle-orm";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DELETE as deleteRoute, PATCH as patchRoute } from "@/app/api/repos/[name]/route";
import { POST as testRoute } from "@/app/api/repos/[name]/test/route";
import { GET as listRoute } from "@/app/api/repos/route";
import { silentLogger } from "@/jobs/logger";
import { createRepoCheckWorker } from "@/jobs/repoCheck";
import { loadConfig } from "@/lib/config";
import type { RepoCheckPayload, RepoCheckResult } from "@/lib/contracts/repoCheck";
import { repository, run, schedule } from "@/lib/db/schema";
import { createRedis } from "@/lib/redis";
import { advertiseTestWorker, withdrawTestWorker } from "../support/adverts";
import { startGitHttpServer, type GitHttpServer } from "../support/gitHttpServer";
import { createTestRepo, git, type TestRepo } from "../support/gitRepo";
import { insertRunRow } from "../support/runRow";
import { call, createTokenFor, getApp, registerRepo, signUp, type Session } from "../support/web";
import { firstTeam } from "@/lib/services/teams";

type ErrorBody = { error: { code: string; message: string; issues?: { path: string }[] } };
type RepoJson = { name: string; url: string; defaultBranch: string; credentialEnv: string | null; githubRepo: string | null; networkHosts: string[] };
type CheckJson = RepoCheckResult & { repo: string };

const errorOf = async (res: Response) => ((await res.json()) as ErrorBody).error;
const TOKEN = `tok-${crypto.randomBytes(12).toString("hex")}`;
const CREDENTIAL_VAR = "REPO_ADMIN_TEST_TOKEN";

describe("admins edit, delete and test repositories", () => {
  let admin: Session;
  let member: Session;
  let memberToken: string;
  let remote: TestRepo;
  let httpRoot: string;
  let http: GitHttpServer;
  let redis: Redis;
  let checker: Worker<RepoCheckPayload, RepoCheckResult>;

  const patch = (name: string, body: unknown, as: Session | string = admin) =>
    call(patchRoute, `/api/repos/${name}`, { method: "PATCH", as, body, params: { name } });
  const remove = (name: string, as: Session | string = admin) => call(deleteRoute, `/api/repos/${name}`, { method: "DELETE", as, params: { name } });
  const test = (name: string, as: Session | string = admin) => call(testRoute, `/api/repos/${name}/test`, { method: "POST", as, params: { name } });
  const register = async (body: Record<string, unknown>) => {
    const res = await registerRepo(admin, body);
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()) as RepoJson & { id: string };
  };
  const insertRun = (repositoryId: string, status: "running" | "completed" | "awaiting_review") => insertRunRow(member.userId, repositoryId, status);

  beforeAll(async () => {
    admin = await signUp("repo-admin@example.com");
    member = await signUp("repo-member@example.com");
    memberToken = await createTokenFor(member);
    remote = await createTestRepo({ files: { "README.md": "hello\n" } });
    // The same repository served over HTTP behind a token, as GitHub would.
    httpRoot = await fs.mkdtemp(path.join(os.tmpdir(), "agentdesk-repo-admin-http-"));
    await git(httpRoot, "clone", "--bare", "--quiet", remote.url, "private.git");
    http = await startGitHttpServer(httpRoot, TOKEN);
    process.env[CREDENTIAL_VAR] = TOKEN;
    const config = loadConfig();
    redis = createRedis(config.redisUrl, "worker", "repo-check-test");
    checker = await createRepoCheckWorker({ config, redis, namespace: config.redisPrefix, name: "repo-check-test-worker", logger: silentLogger });
    await advertiseTestWorker("repo-check-test-worker", [{ name: "cli", available: true }]);
  });

  afterAll(async () => {
    await withdrawTestWorker("repo-check-test-worker");
    await checker?.close();
    await redis?.quit();
    await http?.close();
    await remote?.remove();
    await fs.rm(httpRoot, { recursive: true, force: true });
    delete process.env[CREDENTIAL_VAR];
  });

  it("edits every field registration takes; a field left out stays, null clears", async () => {
    await register({ name: "editable", url: remote.url, credentialEnv: "OLD_TOKEN", githubRepo: "acme/editable", networkHosts: ["registry.npmjs.org"] });
    const res = await patch("editable", { name: "edited", defaultBranch: "develop", credentialEnv: CREDENTIAL_VAR });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      name: "edited",
      url: remote.url,
      defaultBranch: "develop",
      credentialEnv: CREDENTIAL_VAR,
      githubRepo: "acme/editable",
      networkHosts: ["registry.npmjs.org"],
    });
    const cleared = (await (await patch("edited", { credentialEnv: null, githubRepo: "", networkHosts: [] })).json()) as RepoJson;
    expect(cleared).toMatchObject({ credentialEnv: null, githubRepo: null, networkHosts: [] });
    // The old name is gone, the new one is listed.
    expect((await patch("editable", { defaultBranch: "main" })).status).toBe(404);
    const list = (await (await call(listRoute, "/api/repos", { as: member })).json()) as { repos: RepoJson[] };
    expect(list.repos.map((r) => r.name)).toContain("edited");
    expect(list.repos.map((r) => r.name)).not.toContain("editable");
  });

  it("names the field of a bad edit (400/409/422), never a 500", async () => {
    await register({ name: "taken-name", url: remote.url });
    await register({ name: "to-rename", url: remote.url });
    for (const [body, field, status] of [
      [{ url: "https://user:secret@example.com/a.git" }, "url", 400],
      [{ url: "ftp://example.com/a.git" }, "url", 400],
      [{ url: "/no/such/folder/anywhere" }, "url", 422],
      [{ defaultBranch: "bad..branch" }, "defaultBranch", 400],
      [{ credentialEnv: "lower-case" }, "credentialEnv", 400],
      [{ networkHosts: ["not a host"] }, "networkHosts.0", 400],
      [{ name: "bad name!" }, "name", 400],
      [{ name: "taken-name" }, "name", 409],
      [{ color: "blue" }, "", 400],
    ] as const) {
      const res = await patch("to-rename", body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      const error = await errorOf(res);
      if (field) expect(error.issues?.map((i) => i.path), JSON.stringify(body)).toEqual([field]);
    }
  });

  it("lets only admins edit, delete or test: 401 signed out, 403 for a member (session or token), 404 for no such repository", async () => {
    await register({ name: "guarded", url: remote.url });
    expect((await call(patchRoute, "/api/repos/guarded", { method: "PATCH", body: { defaultBranch: "x" }, params: { name: "guarded" } })).status).toBe(401);
    for (const as of [member, memberToken]) {
      expect((await patch("guarded", { defaultBranch: "x" }, as)).status).toBe(403);
      expect((await remove("guarded", as)).status).toBe(403);
      expect((await test("guarded", as)).status).toBe(403);
    }
    expect((await patch("nothing-here", { defaultBranch: "x" })).status).toBe(404);
    expect((await remove("nothing-here")).status).toBe(404);
    expect((await test("nothing-here")).status).toBe(404);
    const { db } = await getApp();
    const [row] = await db.select().from(repository).where(eq(repository.name, "guarded"));
    expect(row!.defaultBranch).toBe("main");
  });

  it("tests a local repository and names its default branch", async () => {
    await register({ name: "reachable", url: remote.url });
    const res = await test("reachable");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, error: null, branches: 1, defaultBranchFound: true, credentialMissing: false, worker: "repo-check-test-worker" });
    await patch("reachable", { defaultBranch: "trunk" });
    expect(await (await test("reachable")).json()).toMatchObject({ ok: true, defaultBranchFound: false });
  });

  it("gives git's own error for a URL that does not answer", async () => {
    const gone = path.join(httpRoot, "gone.git");
    await fs.mkdir(gone);
    await register({ name: "vanishing", url: gone });
    await fs.rm(gone, { recursive: true });
    const result = (await (await test("vanishing")).json()) as CheckJson;
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/does not appear to be a git repository|not found|No such file/i);
  });

  it("sends the credential from the job process's environment, only to the registered origin, and reports a missing one", async () => {
    await register({ name: "private", url: http.urlOf("private.git") });
    // Without a credential the server refuses: git's words come back.
    const refused = (await (await test("private")).json()) as CheckJson;
    expect(refused.ok).toBe(false);
    expect(refused.error).toMatch(/Authentication failed|could not read Username|401/i);
    await patch("private", { credentialEnv: CREDENTIAL_VAR });
    const ok = (await (await test("private")).json()) as CheckJson;
    expect(ok).toMatchObject({ ok: true, branches: 1, defaultBranchFound: true, credentialMissing: false });
    expect(JSON.stringify(ok)).not.toContain(TOKEN);
    expect(http.requests.every((r) => !r.url.includes(TOKEN))).toBe(true);
    await patch("private", { credentialEnv: "REPO_ADMIN_NOT_SET" });
    const missing = (await (await test("private")).json()) as CheckJson;
    expect(missing).toMatchObject({ ok: false, credentialMissing: true });
  });

  it("answers 503 when no job process is running to test from", async () => {
    await withdrawTestWorker("repo-check-test-worker");
    try {
      const res = await test("reachable");
      expect(res.status).toBe(503);
      expect((await errorOf(res)).message).toMatch(/No job process is running/);
    } finally {
      await advertiseTestWorker("repo-check-test-worker", [{ name: "cli", available: true }]);
    }
  });

  it("refuses to delete a repository with unfinished runs (409), and keeps finished runs readable after the delete", async () => {
    const repo = await register({ name: "busy", url: remote.url });
    const { db } = await getApp();
    const running = await insertRun(repo.id, "running");
    const inReview = await insertRun(repo.id, "awaiting_review");
    const done = await insertRun(repo.id, "completed");
    await db.insert(schedule).values({ id: crypto.randomUUID(), userId: member.userId, repositoryId: repo.id, teamId: (await firstTeam(await getApp())).id, name: "nightly", cron: "0 3 * * *", template: {} });
    const refused = await remove("busy");
    expect(refused.status).toBe(409);
    expect((await errorOf(refused)).message).toMatch(/2 unfinished runs/);
    await db.update(run).set({ status: "cancelled" }).where(eq(run.id, running));
    await db.update(run).set({ status: "discarded" }).where(eq(run.id, inReview));
    const res = await remove("busy");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ name: "busy", kept: "finished-runs", finishedRuns: 3, schedulesRemoved: 1 });
    // The runs and the (hidden) repository row are kept; its schedules are gone; the name is free again.
    const [row] = await db.select().from(repository).where(eq(repository.id, repo.id));
    expect(row!.deletedAt).toBeInstanceOf(Date);
    expect(await db.select({ id: run.id }).from(run).where(eq(run.repositoryId, repo.id))).toHaveLength(3);
    expect(await db.select().from(schedule).where(eq(schedule.repositoryId, repo.id))).toHaveLength(0);
    expect(done).toBeTruthy();
    const list = (await (await call(listRoute, "/api/repos", { as: admin })).json()) as { repos: RepoJson[] };
    expect(list.repos.map((r) => r.name)).not.toContain("busy");
    expect((await patch("busy", { defaultBranch: "x" })).status).toBe(404);
    expect((await remove("busy")).status).toBe(404);
    const again = await register({ name: "busy", url: remote.url });
    expect(again.id).not.toBe(repo.id);
  });

  it("removes a repository without runs outright", async () => {
    const repo = await register({ name: "unused", url: remote.url });
    const res = await remove("unused");
    expect(await res.json()).toMatchObject({ kept: "none", finishedRuns: 0 });
    const { db } = await getApp();
    expect(await db.select().from(repository).where(eq(repository.id, repo.id))).toHaveLength(0);
  });
});
