import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { POST as clearRoute } from "@/app/api/admin/environment-caches/clear/route";
import { GET as listRoute } from "@/app/api/admin/environment-caches/route";
import {
  environmentCacheClear,
  environmentCacheClearKey,
  environmentCacheReportKey,
  type EnvironmentCacheReport,
} from "@/lib/contracts/environment";
import type { EnvironmentCachesView } from "@/lib/services/environmentCaches";
import { call, createTokenFor, getApp, registerRepo, signUp, type Session } from "../support/web";

type ErrorBody = { error: { code: string; message: string; issues?: { path: string; message: string }[] } };
const errorOf = async (res: Response) => ((await res.json()) as ErrorBody).error;

const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000).toISOString();
const sha = (c: string) => c.repeat(40);
const key = (c: string) => c.repeat(64);

/** What a job process reports (jobs/environment/cacheAdmin.ts writes it the same way: JSON, expiring). */
async function report(value: EnvironmentCacheReport | string, worker = typeof value === "string" ? "broken" : value.worker) {
  const app = await getApp();
  await app.redis.set(environmentCacheReportKey(app.config.redisPrefix, worker), typeof value === "string" ? value : JSON.stringify(value), "EX", 60);
}

describe("environment caches on the admin page (API)", () => {
  let admin: Session;
  let member: Session;
  let memberToken: string;
  const repoDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-env-caches-"));

  const list = async (as: Session | string = admin) => {
    const res = await call(listRoute, "/api/admin/environment-caches", { as });
    expect(res.status).toBe(200);
    return (await res.json()) as EnvironmentCachesView;
  };
  const clear = (body: unknown, as: Session | string = admin) => call(clearRoute, "/api/admin/environment-caches/clear", { as, body });
  const clearRequests = async () => {
    const app = await getApp();
    const raw = await app.redis.lrange(environmentCacheClearKey(app.config.redisPrefix), 0, -1);
    return raw.map((r) => environmentCacheClear.parse(JSON.parse(r)));
  };

  const alpha: EnvironmentCacheReport = {
    worker: "alpha:101",
    reportedAt: hoursAgo(0),
    maxBytes: 10 * 1024 ** 3,
    maxAgeDays: 14,
    entries: [
      { repo: "web", key: key("a"), baseSha: sha("1"), bytes: 120_000_000, files: 9_000, createdAt: hoursAgo(30), lastUsedAt: hoursAgo(5) },
      { repo: "api", key: key("b"), baseSha: sha("2"), bytes: 30_000_000, files: 1_200, createdAt: hoursAgo(20), lastUsedAt: hoursAgo(1) },
    ],
  };
  const beta: EnvironmentCacheReport = {
    worker: "beta:7",
    reportedAt: hoursAgo(0),
    maxBytes: 1024 ** 3,
    maxAgeDays: 2,
    entries: [{ repo: "web", key: key("c"), baseSha: sha("3"), bytes: 5_000, files: 3, createdAt: hoursAgo(2), lastUsedAt: hoursAgo(2) }],
  };

  beforeAll(async () => {
    admin = await signUp("caches-admin@example.com");
    member = await signUp("caches-member@example.com");
    memberToken = await createTokenFor(member);
    for (const name of ["web", "api"]) expect((await registerRepo(admin, { name, url: repoDir })).status).toBe(201);
  });
  afterEach(() => vi.restoreAllMocks());

  it("is for admins only: a member gets 403 (session or token), a stranger 401, and no request is queued", async () => {
    for (const as of [member, memberToken]) {
      expect((await call(listRoute, "/api/admin/environment-caches", { as })).status).toBe(403);
      expect((await clear({}, as)).status).toBe(403);
    }
    expect((await call(listRoute, "/api/admin/environment-caches")).status).toBe(401);
    expect((await call(clearRoute, "/api/admin/environment-caches/clear", { body: {} })).status).toBe(401);
    expect(await clearRequests()).toEqual([]);
  });

  it("lists nothing while no job process reports a cache", async () => {
    expect(await list()).toEqual({ workers: [], recentClears: [] });
  });

  it("lists every job process's report with totals, newest use first, and skips an invalid report with a warning", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    await report(alpha);
    await report(beta);
    await report("{not json", "garbled");
    await report(JSON.stringify({ ...beta, worker: "gamma:1", maxBytes: -1 }), "gamma:1");

    const { workers } = await list();
    expect(workers.map((w) => w.worker)).toEqual(["alpha:101", "beta:7"]);
    expect(workers[0]).toMatchObject({ maxBytes: 10 * 1024 ** 3, maxAgeDays: 14, totalBytes: 150_000_000, totalFiles: 10_200 });
    expect(workers[0]!.entries.map((e) => [e.repo, e.key, e.clearing])).toEqual([
      ["api", key("b"), false],
      ["web", key("a"), false],
    ]);
    expect(workers[1]).toMatchObject({ totalBytes: 5_000, totalFiles: 3, entries: [{ repo: "web", baseSha: sha("3") }] });

    const warnings = warn.mock.calls.map((c) => String(c[0]));
    expect(warnings).toContainEqual(expect.stringMatching(/skipped a job process's cache report: not JSON/));
    expect(warnings).toContainEqual(expect.stringMatching(/skipped a job process's cache report: maxBytes: .*>=0/));
    const app = await getApp();
    for (const worker of ["garbled", "gamma:1"]) await app.redis.del(environmentCacheReportKey(app.config.redisPrefix, worker));
  });

  it("queues a clear of one repository: the job processes' request list gets it, the page marks its caches", async () => {
    await report(alpha);
    await report(beta);
    const res = await clear({ repo: "web" });
    expect(res.status).toBe(202);
    const { clear: request } = (await res.json()) as { clear: { at: string; repo: string | null } };
    expect(request.repo).toBe("web");
    expect(Date.parse(request.at)).toBeGreaterThan(Date.now() - 60_000);
    expect((await clearRequests())[0]).toEqual(request);

    const { workers, recentClears } = await list();
    expect(recentClears[0]).toEqual(request);
    const clearing = workers.flatMap((w) => w.entries.filter((e) => e.clearing).map((e) => `${w.worker} ${e.repo}`));
    expect(clearing).toEqual(["alpha:101 web", "beta:7 web"]);
  });

  it("queues a clear of every repository, which covers every cache made before it, not one made after", async () => {
    const res = await clear({});
    expect(res.status).toBe(202);
    expect(((await res.json()) as { clear: { repo: string | null } }).clear.repo).toBeNull();
    await report({ ...beta, entries: [...beta.entries, { ...beta.entries[0]!, repo: "api", key: key("d"), createdAt: new Date(Date.now() + 1_000).toISOString() }] });
    const { workers } = await list();
    expect(workers.find((w) => w.worker === "alpha:101")!.entries.every((e) => e.clearing)).toBe(true);
    expect(workers.find((w) => w.worker === "beta:7")!.entries.map((e) => [e.key, e.clearing])).toEqual(
      expect.arrayContaining([[key("c"), true], [key("d"), false]]),
    );
  });

  it("keeps the newest 100 requests", async () => {
    for (let i = 0; i < 105; i++) expect((await clear({ repo: i % 2 ? "web" : "api" })).status).toBe(202);
    const requests = await clearRequests();
    expect(requests).toHaveLength(100);
    // Newest first: the last one queued was for "api" (i = 104).
    expect(requests[0]!.repo).toBe("api");
  });

  it.each([
    [{ repo: 5 }, 400, "repo"],
    [{ repo: "" }, 400, "repo"],
    [{ everything: true }, 400, "(body)"],
    [{ repo: "nope" }, 404, "repo"],
  ])("refuses %j naming the field", async (body, status, field) => {
    const before = await clearRequests();
    const res = await clear(body);
    expect(res.status).toBe(status);
    expect((await errorOf(res)).issues?.map((i) => i.path)).toContain(field);
    expect(await clearRequests()).toEqual(before);
  });
});
