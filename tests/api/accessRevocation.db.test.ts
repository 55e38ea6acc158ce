import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DELETE as removeRoute, PATCH as patchRoute } from "@/app/api/admin/users/[id]/route";
import { POST as createRun } from "@/app/api/runs/route";
import { DELETE as revokeTokenRoute } from "@/app/api/tokens/[id]/route";
import { apiToken, user } from "@/lib/db/schema";
import { AccessHub, accessHub } from "@/lib/server/accessHub";
import { serveDirectStream } from "@/lib/server/directStreams";
import { installRequestHook } from "@/lib/server/requestHook";
import { userChannelHub } from "@/lib/server/userChannelHub";
import { userChannelStream } from "@/lib/server/userChannelStream";
import { runVisibility } from "@/lib/services/runVisibility";
import { eventually } from "../jobs/helpers";
import { call, createTokenFor, getApp, principalFor, readSse, registerRepo, signUp, type Session } from "../support/web";

/**
 * Disabling, removing or re-roling a user ends their open live streams (a run's feed, the
 * user channel) on every web process within moments, and refuses new ones. A real HTTP server
 * serves the streams as in production (lib/server/directStreams.ts); a second AccessHub on its
 * own Redis connection stands for another web process.
 */
describe("an account's access changes end its live streams", () => {
  let admin: Session;
  let server: http.Server;
  let base: string;
  let second: AccessHub;

  beforeAll(async () => {
    installRequestHook(serveDirectStream);
    admin = await signUp("revoke-admin@example.com");
    const repoDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-revoke-repo-"));
    expect((await registerRepo(admin, { name: "demo", url: repoDir })).status).toBe(201);
    server = http.createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const app = await getApp();
    second = new AccessHub(app.db, app.config.redisUrl, app.config.redisPrefix, "access-hub-second-process");
  });

  afterAll(async () => {
    second?.stop();
    const app = await getApp();
    accessHub(app).stop();
    userChannelHub(app.config.redisUrl, app.config.redisPrefix).stop();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const open = (pathname: string, auth: { cookie: string } | { token: string }) => {
    const headers: Record<string, string> = "cookie" in auth ? { cookie: auth.cookie } : { authorization: `Bearer ${auth.token}` };
    return fetch(base + pathname, { headers });
  };
  /** An open stream read in the background; `ended` resolves with when the server ended it. */
  const follow = async (pathname: string, auth: { cookie: string } | { token: string }) => {
    const res = await open(pathname, auth);
    expect(res.status, pathname).toBe(200);
    const reading = readSse(res, { timeoutMs: 20_000 });
    return { ended: reading.then((r) => (r.ended ? Date.now() : null)) };
  };
  const newRun = async (as: Session) => {
    const res = await call(createRun, "/api/runs", { as, body: { repo: "demo", command: "make" } });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };
  /** The user's channel as another web process would serve it: its own hub, same Redis and database. */
  const channelOnSecondProcess = async (who: Session, role: "admin" | "user" = "user") => {
    const app = await getApp();
    const principal = { ...(await principalFor(who)), role };
    const grant = await second.watch(principal);
    const stream = userChannelStream({
      redis: app.redis,
      stream: app.eventLog.keys.runChanges,
      hub: userChannelHub(app.config.redisUrl, app.config.redisPrefix),
      visibility: runVisibility(principal),
      afterId: null,
      signal: grant.signal,
      onEnd: grant.release,
    });
    const reading = readSse(new Response(stream), { timeoutMs: 20_000 });
    return { ended: reading.then((r) => (r.ended ? Date.now() : null)) };
  };
  const patch = (id: string, body: unknown) => call(patchRoute, `/api/admin/users/${id}`, { method: "PATCH", as: admin, body, params: { id } });

  it("disabling a user ends their run feed and channel here and on another web process within seconds, and refuses new ones", async () => {
    const alice = await signUp("revoke-alice@example.com");
    const bob = await signUp("revoke-bob@example.com");
    const aliceToken = await createTokenFor(alice);
    const runId = await newRun(alice);
    const feed = await follow(`/api/runs/${runId}/events`, alice);
    const channel = await follow("/api/events", alice);
    const byToken = await follow("/api/events", { token: aliceToken });
    const elsewhere = await channelOnSecondProcess(alice);
    const bystander = await follow("/api/events", bob);
    const app = await getApp();
    expect(accessHub(app).watchCount(alice.userId)).toBe(3);
    expect(second.watchCount(alice.userId)).toBe(1);

    const disabledAt = Date.now();
    expect((await patch(alice.userId, { disabled: true })).status).toBe(200);
    for (const stream of [feed, channel, byToken, elsewhere]) {
      const endedAt = await stream.ended;
      expect(endedAt).not.toBeNull();
      expect(endedAt! - disabledAt).toBeLessThan(3_000);
    }
    await eventually(async () => (accessHub(app).watchCount(alice.userId) === 0 && second.watchCount(alice.userId) === 0 ? true : undefined));
    // Reconnects are refused: the session is gone, the token no longer works.
    expect((await open(`/api/runs/${runId}/events`, alice)).status).toBe(401);
    expect((await open("/api/events", alice)).status).toBe(401);
    expect((await open("/api/events", { token: aliceToken })).status).toBe(401);
    // Another user's stream goes on.
    expect(await Promise.race([bystander.ended, new Promise((r) => setTimeout(() => r("open"), 1_000))])).toBe("open");
  });

  it("revoking an API token ends the streams opened with it and refuses the reconnect; the session's streams reconnect", async () => {
    const erin = await signUp("revoke-token-holder@example.com");
    const token = await createTokenFor(erin);
    const byToken = await follow("/api/events", { token });
    const app = await getApp();
    const [row] = await app.db.select({ id: apiToken.id }).from(apiToken).where(eq(apiToken.userId, erin.userId));
    const revokedAt = Date.now();
    const res = await call(revokeTokenRoute, `/api/tokens/${row!.id}`, { method: "DELETE", as: erin, params: { id: row!.id } });
    expect(res.status).toBeLessThan(300);
    const endedAt = await byToken.ended;
    expect(endedAt).not.toBeNull();
    expect(endedAt! - revokedAt).toBeLessThan(3_000);
    expect((await open("/api/events", { token })).status).toBe(401);
    expect((await open("/api/events", erin)).status).toBe(200);
  });

  it("removing a user ends their streams; a new role ends them too and the reconnect sees the new role's runs", async () => {
    const carol = await signUp("revoke-carol@example.com");
    const dave = await signUp("revoke-dave@example.com");
    const carolToken = await createTokenFor(carol);
    const channel = await follow("/api/events", { token: carolToken });
    const elsewhere = await channelOnSecondProcess(carol);
    const removedAt = Date.now();
    expect((await call(removeRoute, `/api/admin/users/${carol.userId}`, { method: "DELETE", as: admin, params: { id: carol.userId } })).status).toBe(200);
    for (const stream of [channel, elsewhere]) expect((await stream.ended)! - removedAt).toBeLessThan(3_000);
    expect((await open("/api/events", { token: carolToken })).status).toBe(401);

    const promoted = await follow("/api/events", dave);
    const promotedElsewhere = await channelOnSecondProcess(dave);
    const promotedAt = Date.now();
    expect((await patch(dave.userId, { role: "admin" })).status).toBe(200);
    for (const stream of [promoted, promotedElsewhere]) expect((await stream.ended)! - promotedAt).toBeLessThan(3_000);
    // Still signed in: the reconnect is served, now with an admin's view.
    expect((await open("/api/events", dave)).status).toBe(200);
  });

  it("refuses a stream whose access changed between its authentication and its start (401)", async () => {
    const erin = await signUp("revoke-erin@example.com");
    const principal = { userId: erin.userId, email: erin.email, name: erin.email, role: "user" as const, via: "session" as const };
    const { db } = await getApp();
    // The request was authenticated as a user; the account became admin before the stream began.
    await db.update(user).set({ role: "admin" }).where(eq(user.id, erin.userId));
    await expect(second.watch(principal)).rejects.toMatchObject({ code: "unauthorized" });
    await db.update(user).set({ disabledAt: new Date() }).where(eq(user.id, erin.userId));
    await expect(second.watch({ ...principal, role: "admin" })).rejects.toMatchObject({ code: "unauthorized" });
    expect(second.watchCount(erin.userId)).toBe(0);
  });

  it("when a web process's reader lost Redis, it asks the database whose access still holds", async () => {
    const frank = await signUp("revoke-frank@example.com");
    const gina = await signUp("revoke-gina@example.com");
    const app = await getApp();
    const frankStream = await channelOnSecondProcess(frank);
    const ginaStream = await channelOnSecondProcess(gina);
    // Disabled with no announcement reaching anyone (what a lost message would leave).
    await app.db.update(user).set({ disabledAt: new Date() }).where(eq(user.id, frank.userId));
    const clients = (await app.redis.client("LIST")) as string;
    const reader = clients.split("\n").find((line) => line.includes("name=agentdesk:access-hub-second-process"));
    expect(reader).toBeDefined();
    const killedAt = Date.now();
    await app.redis.client("KILL", "ID", /id=(\d+)/.exec(reader!)![1]!);
    expect((await frankStream.ended)! - killedAt).toBeLessThan(3_000);
    expect(await Promise.race([ginaStream.ended, new Promise((r) => setTimeout(() => r("open"), 1_000))])).toBe("open");
  });
});
