import crypto from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Worker } from "bullmq";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { GET as branchesRoute } from "@/app/api/repos/[name]/branches/route";
import { POST as testRoute } from "@/app/api/repos/[name]/test/route";
import { silentLogger } from "@/jobs/logger";
import { createRepoCheckWorker } from "@/jobs/repoCheck";
import { loadConfig } from "@/lib/config";
import type { RepoCheckPayload, RepoCheckResult } from "@/lib/contracts/repoCheck";
import { repository } from "@/lib/db/schema";
import { createRedis } from "@/lib/redis";
import { forgetRepoBranches, listRepoBranches } from "@/lib/services/repoBranches";
import { firstTeam } from "@/lib/services/teams";
import { advertiseTestWorker, withdrawTestWorker } from "../support/adverts";
import { startGitHttpServer, type GitHttpServer } from "../support/gitHttpServer";
import { createTestRepo, git, type TestRepo } from "../support/gitRepo";
import { call, getApp, principalFor, registerRepo, signUp, type Session } from "../support/web";

type Branches = { repo: string; defaultBranch: string; branches: string[]; source: "remote" | null; error?: string };
type ErrorBody = { error: { code: string; message: string } };

const TOKEN = `tok-${crypto.randomBytes(12).toString("hex")}`;
const GOOD_VAR = "REPO_BRANCHES_TEST_TOKEN";
const WRONG_VAR = "REPO_BRANCHES_WRONG_TOKEN";
const WORKER = "repo-branches-test-worker";

/**
 * The New run form's branch list comes from a job process (the path "Test connection" takes),
 * with the repository's credential and the git rules of a run's fetch: real git, a real
 * token-protected HTTP remote, a real repo-check worker on this file's Redis.
 */
describe("branch listing through the job process", () => {
  let admin: Session;
  let member: Session;
  let local: TestRepo;
  let httpRoot: string;
  let http: GitHttpServer;
  let markers: string;
  let redis: Redis;
  let checker: Worker<RepoCheckPayload, RepoCheckResult>;

  const branches = (name: string, as: Session | null = member) =>
    call(branchesRoute, `/api/repos/${name}/branches`, { as: as ?? undefined, params: { name } });
  const testConnection = (name: string) => call(testRoute, `/api/repos/${name}/test`, { method: "POST", as: admin, params: { name } });
  const register = async (body: Record<string, unknown>) => {
    const res = await registerRepo(admin, body);
    expect(res.status, await res.clone().text()).toBe(201);
  };

  beforeAll(async () => {
    admin = await signUp("branches-admin@example.com");
    member = await signUp("branches-member@example.com");
    local = await createTestRepo({ files: { "README.md": "hello\n" } });
    await local.commit({ "a.txt": "a" }, "feature", "feature/login");
    await local.commit({ "b.txt": "b" }, "release", "release/1.2");
    // The same repository, private over HTTP behind a token as GitHub would serve it.
    httpRoot = await fs.mkdtemp(path.join(os.tmpdir(), "agentdesk-branches-http-"));
    await git(httpRoot, "clone", "--bare", "--quiet", local.url, "private.git");
    http = await startGitHttpServer(httpRoot, TOKEN);
    markers = await fs.mkdtemp(path.join(os.tmpdir(), "agentdesk-branches-markers-"));
    process.env[GOOD_VAR] = TOKEN;
    process.env[WRONG_VAR] = `tok-wrong-${crypto.randomBytes(6).toString("hex")}`;
    const config = loadConfig();
    redis = createRedis(config.redisUrl, "worker", "repo-branches-test");
    checker = await createRepoCheckWorker({ config, redis, namespace: config.redisPrefix, name: WORKER, logger: silentLogger });
    await advertiseTestWorker(WORKER, [{ name: "cli", available: true }]);
    await register({ name: "local", url: local.url, defaultBranch: "main" });
    await register({ name: "private", url: http.urlOf("private.git"), credentialEnv: GOOD_VAR });
    await register({ name: "wrong-token", url: http.urlOf("private.git"), credentialEnv: WRONG_VAR });
    await register({ name: "no-token", url: http.urlOf("private.git") });
    await register({ name: "unset-token", url: http.urlOf("private.git"), credentialEnv: "REPO_BRANCHES_NOT_SET" });
  });

  afterEach(() => forgetRepoBranches());

  afterAll(async () => {
    await withdrawTestWorker(WORKER);
    await checker?.close();
    await redis?.quit();
    await http?.close();
    await local?.remove();
    await fs.rm(httpRoot, { recursive: true, force: true });
    await fs.rm(markers, { recursive: true, force: true });
    delete process.env[GOOD_VAR];
    delete process.env[WRONG_VAR];
  });

  it("lists a repository's branches, sorted, from the job process", async () => {
    const res = await branches("local");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ repo: "local", defaultBranch: "main", branches: ["feature/login", "main", "release/1.2"], source: "remote" });
  });

  it("lists a private repository's branches with the credential only the job process holds", async () => {
    const before = http.requests.length;
    const res = await branches("private");
    expect(res.status).toBe(200);
    const body = (await res.json()) as Branches;
    expect(body).toEqual({ repo: "private", defaultBranch: "main", branches: ["feature/login", "main", "release/1.2"], source: "remote" });
    // The server was asked with the token, which was never in a URL.
    const seen = http.requests.slice(before);
    expect(seen.some((r) => r.authorized)).toBe(true);
    expect(seen.every((r) => !r.url.includes(TOKEN))).toBe(true);
  });

  it("says clearly why a private repository cannot be listed: wrong, missing or unset credential", async () => {
    const wrong = (await (await branches("wrong-token")).json()) as Branches;
    expect(wrong).toMatchObject({ branches: [], source: null });
    expect(wrong.error).toMatch(/^the branches could not be listed: .*(Authentication failed|401)/);
    expect(JSON.stringify(wrong)).not.toContain(process.env[WRONG_VAR]!);
    const none = (await (await branches("no-token")).json()) as Branches;
    expect(none).toMatchObject({ branches: [], source: null });
    expect(none.error).toMatch(/could not read Username|Authentication failed|401/);
    const unset = (await (await branches("unset-token")).json()) as Branches;
    expect(unset).toMatchObject({ branches: [], source: null, error: "the branches could not be listed: the job process lacks the repository's credential variable" });
  });

  it("caches a listing for a while; a forgotten one is listed again", async () => {
    expect(((await (await branches("local")).json()) as Branches).branches).not.toContain("hotfix");
    await local.commit({ "c.txt": "c" }, "hotfix", "hotfix");
    expect(((await (await branches("local")).json()) as Branches).branches).not.toContain("hotfix");
    forgetRepoBranches(local.url);
    expect(((await (await branches("local")).json()) as Branches).branches).toContain("hotfix");
  });

  it("answers 503 at once when no job process is running, never waiting", async () => {
    await withdrawTestWorker(WORKER);
    try {
      const started = Date.now();
      const res = await branches("local");
      expect(res.status).toBe(503);
      expect(((await res.json()) as ErrorBody).error.message).toMatch(/No job process is running, and only a job process can list the repository's branches/);
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await advertiseTestWorker(WORKER, [{ name: "cli", available: true }]);
    }
  });

  it("answers 503 when the job process does not answer in time, and withdraws the request", async () => {
    await checker.pause();
    try {
      const app = await getApp();
      const started = Date.now();
      await expect(listRepoBranches(app, await principalFor(admin), "local", 1_500)).rejects.toMatchObject({ code: "unavailable", message: expect.stringMatching(/No job process answered within 2 s/) });
      expect(Date.now() - started).toBeLessThan(5_000);
      // Not cached: once a job process answers again, the list comes.
      checker.resume();
      expect(((await (await branches("local")).json()) as Branches).source).toBe("remote");
    } finally {
      checker.resume();
    }
  });

  it("answers 404 for an unknown repository and 401 when signed out", async () => {
    expect((await branches("nope")).status).toBe(404);
    expect((await branches("local", null)).status).toBe(401);
  });

  describe("a registered URL that tries to run a command", () => {
    // Rows as an older version or a hand-edited database could hold them: registration
    // refuses these URLs, so the job process must refuse them too, before and inside git.
    const hostile = (marker: string) => [
      ["ext-sh", `ext::sh -c touch% ${path.join(markers, marker)}-ext`],
      ["fd-transport", "fd::7"],
      ["ssh-option", `ssh://-oProxyCommand=touch%20${path.join(markers, marker)}-ssh/x.git`],
      ["dash-url", `--upload-pack=touch ${path.join(markers, marker)}-dash`],
    ];

    it("is refused at registration", async () => {
      for (const [, url] of hostile("register")) {
        const res = await registerRepo(admin, { name: "hostile", url });
        expect(res.status, url).toBeGreaterThanOrEqual(400);
        expect(res.status, url).toBeLessThan(500);
      }
    });

    it("runs nothing on Test connection or on listing its branches", async () => {
      const { db } = await getApp();
      for (const [name, url] of hostile("listed")) {
        await db.insert(repository).values({ id: crypto.randomUUID(), teamId: (await firstTeam({ db })).id, name: name!, url: url!, defaultBranch: "main" });
        const tested = await testConnection(name!);
        expect(tested.status, url).toBe(200);
        const check = (await tested.json()) as RepoCheckResult;
        expect(check, url).toMatchObject({ ok: false, branches: 0 });
        expect(check.error, url).toMatch(/not an https, ssh or http URL|not valid|ssh: Could not resolve|strange hostname|blocked/i);
        const listed = await branches(name!);
        expect(listed.status, url).toBe(200);
        expect(await listed.json(), url).toMatchObject({ branches: [], source: null, error: expect.stringMatching(/^the branches could not be listed: /) });
      }
      expect(await fs.readdir(markers)).toEqual([]);
    });
  });
});
