import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as createRun } from "@/app/api/runs/route";
import { appendEvent } from "@/lib/eventLog";
import { serveDirectStream } from "@/lib/server/directStreams";
import { installRequestHook } from "@/lib/server/requestHook";
import { runEventHub } from "@/lib/server/runEventHub";
import { eventually } from "../jobs/helpers";
import { call, getApp, otherTeam, readSse, registerRepo, signUp, type Session } from "../support/web";

/**
 * The live streams served ahead of Next (lib/server/directStreams.ts) on a real HTTP server
 * with the request hook installed as instrumentation.ts installs it. The server's own handler
 * stands for Next: whatever reaches it was not taken by the direct path.
 */
describe("live streams served ahead of Next", () => {
  let owner: Session;
  let stranger: Session;
  let server: http.Server;
  let base: string;
  const reachedNext: string[] = [];

  beforeAll(async () => {
    installRequestHook(serveDirectStream);
    owner = await signUp("direct-owner@example.com");
    // The stranger works in another team.
    stranger = (await otherTeam()).owner;
    const repoDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-repo-"));
    expect((await registerRepo(owner, { name: "demo", url: repoDir })).status).toBe(201);
    server = http.createServer((req, res) => {
      reachedNext.push(`${req.method} ${req.url}`);
      res.statusCode = 299;
      res.end("next");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function newRun(): Promise<string> {
    const res = await call(createRun, "/api/runs", { as: owner, body: { repo: "demo", command: "make" } });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  }

  const get = (pathname: string, as?: Session, headers: Record<string, string> = {}) =>
    fetch(base + pathname, { headers: { ...(as ? { cookie: as.cookie } : {}), ...headers } });

  it("streams a run's feed with the SSE and security headers, resumes after an id, and ends with the run", async () => {
    const runId = await newRun();
    const res = await get(`/api/runs/${runId}/events`, owner);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(res.headers.get("x-accel-buffering")).toBe("no");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    const app = await getApp();
    const logged = await appendEvent(app.eventLog, runId, { type: "log", level: "info", message: "hello" });
    const ended = await appendEvent(app.eventLog, runId, { type: "run.failed", error: "boom" });
    const all = await readSse(res);
    expect(all.ended).toBe(true);
    expect(all.messages.map((m) => (m.data as { type: string }).type)).toEqual(["run.queued", "log", "run.failed"]);
    expect(all.messages.slice(1).map((m) => m.id)).toEqual([logged.id, ended.id]);

    const resumed = await readSse(await get(`/api/runs/${runId}/events`, owner, { "last-event-id": logged.id }));
    expect(resumed.messages.map((m) => m.id)).toEqual([ended.id]);
    expect(resumed.ended).toBe(true);
    expect(reachedNext).toEqual([]);
  });

  it("answers a missing session 401, another team's run 404 and a bad resume id 400, as JSON with the security headers", async () => {
    const runId = await newRun();
    const anonymous = await get(`/api/runs/${runId}/events`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("content-type")).toContain("application/json");
    expect(anonymous.headers.get("x-content-type-options")).toBe("nosniff");
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe("unauthorized");

    const strangers = await get(`/api/runs/${runId}/events`, stranger);
    expect(strangers.status).toBe(404);
    expect(await strangers.text()).not.toContain("make");

    const badId = await get(`/api/runs/${runId}/events?after=yesterday`, owner);
    expect(badId.status).toBe(400);
    expect(JSON.stringify(await badId.json())).toContain("after");
    expect((await get(`/api/runs/${runId}/events?after=%00`, owner)).status).toBe(400);
    expect(reachedNext).toEqual([]);
  });

  it("leaves every other request to Next: other methods, other paths, a path it cannot decode", async () => {
    reachedNext.length = 0;
    const runId = await newRun();
    expect((await fetch(`${base}/api/runs/${runId}/events`, { method: "POST" })).status).toBe(299);
    expect((await get(`/api/runs/${runId}`, owner)).status).toBe(299);
    expect((await get(`/api/runs/${runId}/events/more`, owner)).status).toBe(299);
    expect((await get(`/api/runs/%E0%A4%A/events`, owner)).status).toBe(299);
    expect((await get(`/api/eventsx`, owner)).status).toBe(299);
    expect(reachedNext).toEqual([
      `POST /api/runs/${runId}/events`,
      `GET /api/runs/${runId}`,
      `GET /api/runs/${runId}/events/more`,
      `GET /api/runs/%E0%A4%A/events`,
      `GET /api/eventsx`,
    ]);
  });

  it("lets the viewer go when the client goes away", async () => {
    const runId = await newRun();
    const app = await getApp();
    const hub = runEventHub(app.config.redisUrl, app.config.redisPrefix);
    const aborted = new AbortController();
    const res = await fetch(`${base}/api/runs/${runId}/events`, { headers: { cookie: owner.cookie }, signal: aborted.signal });
    const reading = readSse(res, { signal: aborted.signal, timeoutMs: 30_000, until: (m) => m.length > 0 });
    expect((await reading).messages).toHaveLength(1);
    await eventually(async () => hub.viewerCount(runId) === 1 || undefined, 10_000);
    aborted.abort();
    await eventually(async () => hub.viewerCount(runId) === 0 || undefined, 10_000);
  });

  it("serves the user's live channel too", async () => {
    const res = await get("/api/events", owner);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(res.headers.get("referrer-policy")).toBe("same-origin");
    const first = await readSse(res, { until: (m) => m.length > 0 });
    expect(first.messages[0]).toMatchObject({ event: "resync", data: { reason: "fresh" } });
    expect((await get("/api/events")).status).toBe(401);
    expect((await get("/api/events?after=nonsense", owner)).status).toBe(400);
  });
});
