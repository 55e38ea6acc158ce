import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { PATCH as updateRepo } from "@/app/api/repos/[name]/route";
import { GET as listRepos } from "@/app/api/repos/route";
import { POST as createRun } from "@/app/api/runs/route";
import { createRunsQueue, type RunJobPayload } from "@/lib/queue";
import { sandboxOffReason } from "@/lib/sandboxStatus";
import { advertiseWorker, liveWorkers, withdrawWorker, type WorkerAdvert } from "@/lib/workerDirectory";
import { call, getApp, registerRepo, signUp, type Session } from "../support/web";

type ErrorBody = { error: { code: string; message: string; issues?: { path: string; message: string }[] } };
const errorOf = async (res: Response) => ((await res.json()) as ErrorBody).error;

const worker = (name: string, sandbox: "on" | "off"): WorkerAdvert => ({
  name,
  startedAt: new Date().toISOString(),
  concurrency: 1,
  activeRuns: 0,
  sandbox,
  executors: [{ name: "cli", available: true }],
});

describe("a repository's network hosts and runs without the sandbox", () => {
  let admin: Session;
  let alice: Session;
  const repoDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-repo-"));

  beforeAll(async () => {
    admin = await signUp("admin@example.com");
    alice = await signUp("alice@example.com");
  });

  it("registers a repository with hosts, and names a bad entry", async () => {
    const created = await registerRepo(admin, { name: "net", url: repoDir, networkHosts: ["Registry.NPMjs.org", "10.0.0.5:8080"] });
    expect(created.status).toBe(201);
    expect(((await created.json()) as { networkHosts: string[] }).networkHosts).toEqual(["registry.npmjs.org", "10.0.0.5:8080"]);
    const plain = await registerRepo(admin, { name: "plain", url: repoDir });
    expect(((await plain.json()) as { networkHosts: string[] }).networkHosts).toEqual([]);

    const bad = await registerRepo(admin, { name: "bad", url: repoDir, networkHosts: ["ok.example.com", "http://evil/"] });
    expect(bad.status).toBe(400);
    const error = await errorOf(bad);
    expect(error.issues?.map((i) => i.path)).toContain("networkHosts.1");
    expect(error.message).toContain("http://evil/");
  });

  it("lets only an admin change the hosts of an existing repository", async () => {
    const patch = (as: Session, name: string, body: unknown) =>
      call(updateRepo, `/api/repos/${name}`, { as, method: "PATCH", body, params: { name } });
    expect((await patch(alice, "net", { networkHosts: ["attacker.example"] })).status).toBe(403);
    expect((await patch(admin, "missing", { networkHosts: [] })).status).toBe(404);
    const bad = await patch(admin, "net", { networkHosts: ["a b"] });
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).issues?.[0]?.path).toBe("networkHosts.0");
    expect((await patch(admin, "net", {})).status).toBe(400);

    const ok = await patch(admin, "net", { networkHosts: ["pypi.org", "files.pythonhosted.org:443"] });
    expect(ok.status).toBe(200);
    const listed = (await (await call(listRepos, "/api/repos", { as: alice })).json()) as { repos: { name: string; networkHosts: string[] }[] };
    expect(listed.repos.find((r) => r.name === "net")?.networkHosts).toEqual(["pypi.org", "files.pythonhosted.org:443"]);
  });

  it("puts the repository's hosts in the run's job", async () => {
    const app = await getApp();
    await advertiseWorker(app.redis, app.config.redisPrefix, worker("net-worker", "on"));
    try {
      const res = await call(createRun, "/api/runs", { as: alice, body: { repo: "net", executor: "cli", command: "true" } });
      expect(res.status).toBe(201);
      const { id } = (await res.json()) as { id: string };
      const queue = createRunsQueue(app.redis, app.config.redisPrefix);
      const job = await queue.getJob(id);
      expect((job!.data as RunJobPayload).repo.networkHosts).toEqual(["pypi.org", "files.pythonhosted.org:443"]);
      await queue.close();
    } finally {
      await withdrawWorker(app.redis, app.config.redisPrefix, "net-worker");
    }
  });

  it("while a live job process runs with SANDBOX=off, only admins may start runs, and the reason says why", async () => {
    const app = await getApp();
    const ns = app.config.redisPrefix;
    await advertiseWorker(app.redis, ns, worker("sandboxed-worker", "on"));
    await advertiseWorker(app.redis, ns, worker("bare-worker", "off"));
    try {
      const reason = sandboxOffReason(app.config, await liveWorkers(app.redis, ns));
      expect(reason).toMatch(/bare-worker runs with SANDBOX=off/);

      const refused = await call(createRun, "/api/runs", { as: alice, body: { repo: "plain", executor: "cli", command: "true" } });
      expect(refused.status).toBe(403);
      expect((await errorOf(refused)).message).toMatch(/only admins may start runs while .*SANDBOX=off/);
      const allowed = await call(createRun, "/api/runs", { as: admin, body: { repo: "plain", executor: "cli", command: "true" } });
      expect(allowed.status).toBe(201);
    } finally {
      await withdrawWorker(app.redis, ns, "bare-worker");
    }
    // Back to sandboxed job processes only: anyone may start runs again.
    expect(sandboxOffReason(app.config, await liveWorkers(app.redis, ns))).toBeNull();
    const again = await call(createRun, "/api/runs", { as: alice, body: { repo: "plain", executor: "cli", command: "true" } });
    expect(again.status).toBe(201);
    await withdrawWorker(app.redis, ns, "sandboxed-worker");
  });

  it("an install configured SANDBOX=off warns even with no job process", () => {
    expect(sandboxOffReason({ sandbox: "off" }, [])).toMatch(/SANDBOX=off/);
    expect(sandboxOffReason({ sandbox: "on" }, [])).toBeNull();
  });
});
