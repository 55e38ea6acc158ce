import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Worker } from "bullmq";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as listDeliveriesRoute } from "@/app/api/webhooks/endpoints/[id]/deliveries/route";
import { POST as resendRoute } from "@/app/api/webhooks/endpoints/[id]/deliveries/[deliveryId]/resend/route";
import { POST as pingRoute } from "@/app/api/webhooks/endpoints/[id]/ping/route";
import { POST as rotateRoute } from "@/app/api/webhooks/endpoints/[id]/rotate/route";
import { DELETE as deleteRoute, PATCH as patchRoute } from "@/app/api/webhooks/endpoints/[id]/route";
import { GET as listRoute, POST as createRoute } from "@/app/api/webhooks/endpoints/route";
import { verifySignature } from "@/lib/contracts/webhookSignature";
import { auditEvent, repository, webhookDelivery, webhookEndpoint } from "@/lib/db/schema";
import { appendEvent, createEventLog } from "@/lib/eventLog";
import { fanOutFor } from "@/lib/notificationsQueue";
import { startRecorder, type Recorder } from "@/lib/recorder";
import { createRedis } from "@/lib/redis";
import { createSecretBox } from "@/lib/secretBox";
import { startNotificationWorker } from "@/lib/server/notificationWorker";
import { notificationsQueue } from "@/lib/services/notifications";
import type { DeliveryLogEntry, EndpointView } from "@/lib/services/webhookEndpoints";
import { fanOutWebhooks } from "@/lib/services/webhookFanOut";
import { eventually } from "../jobs/helpers";
import { createTestRepo, type TestRepo } from "../support/gitRepo";
import { insertRunRow } from "../support/runRow";
import { call, getApp, registerRepo, signUp, signUpInto, type Session } from "../support/web";

/**
 * Outgoing webhooks against a local HTTP receiver: the real recorder projecting a run's events
 * and queuing the fan-out, the web's notifications worker delivering signed JSON, retries with
 * backoff, the per-endpoint delivery log, Resend, secret rotation, and who hears of which run.
 */

// The receiver listens on 127.0.0.1: a private address, which this test's operator allows.
process.env.ALLOW_PRIVATE_WEBHOOKS = "1";

type Received = { path: string; headers: http.IncomingHttpHeaders; raw: string; body: { id: string; type: string; run?: { id: string; url: string; team: string } } };

let receiver: http.Server;
let receiverUrl: string;
const received: Received[] = [];
const scripted = new Map<string, number[]>();

let admin: Session;
let alice: Session;
let bob: Session;
let repo: TestRepo;
let repositoryId: string;
let recorder: Recorder;
let notifier: Worker;
let jobRedis: ReturnType<typeof createRedis>;
const repoName = `hooks-${crypto.randomBytes(3).toString("hex")}`;

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString()));
    req.on("end", () => {
      const path = req.url ?? "/";
      received.push({ path, headers: req.headers, raw, body: JSON.parse(raw) as Received["body"] });
      const status = scripted.get(path)?.shift() ?? 200;
      res.writeHead(status, { "content-type": "text/plain" }).end(status === 200 ? "ok" : "down");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  admin = await signUp(`admin-${crypto.randomUUID()}@example.com`);
  alice = await signUpInto(admin, "member");
  bob = await signUpInto(admin, "member");
  repo = await createTestRepo({ files: { "README.md": "# hooks\n" } });
  expect((await registerRepo(admin, { name: repoName, url: repo.url })).status).toBe(201);
  const app = await getApp();
  repositoryId = (await app.db.select({ id: repository.id }).from(repository).where(eq(repository.name, repoName)))[0]!.id;
  recorder = startRecorder({ db: app.db, redisUrl: app.config.redisUrl, namespace: app.config.redisPrefix, blockMs: 200 });
  notifier = startNotificationWorker(app);
  jobRedis = createRedis(app.config.redisUrl, "worker");
}, 120_000);

afterAll(async () => {
  await notifier?.close();
  await recorder?.stop();
  jobRedis?.disconnect();
  await notificationsQueue(await getApp()).close();
  await new Promise((resolve) => receiver?.close(resolve));
  await repo?.remove();
});

async function createEndpoint(as: Session, body: Record<string, unknown>): Promise<EndpointView & { secret: string }> {
  const res = await call(createRoute, "/api/webhooks/endpoints", { as, body });
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json();
}

async function deliveries(as: Session, id: string): Promise<DeliveryLogEntry[]> {
  const res = await call(listDeliveriesRoute, `/api/webhooks/endpoints/${id}/deliveries`, { as, params: { id } });
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { deliveries: DeliveryLogEntry[] }).deliveries;
}

/** A run of `owner`'s that fails, as a job process would say it: its events through the real recorder. */
async function failingRun(owner: Session): Promise<string> {
  const runId = await insertRunRow(owner.userId, repositoryId, "running");
  const log = createEventLog(jobRedis, (await getApp()).config.redisPrefix);
  await appendEvent(log, runId, { type: "run.failed", error: "tests failed\nat line 3" });
  return runId;
}

const settled = (as: Session, id: string, count: number) =>
  eventually(async () => {
    const log = await deliveries(as, id);
    return log.length >= count && log.every((d) => d.status !== "pending") ? log : undefined;
  }, 60_000);

const at = (path: string) => received.filter((r) => r.path === path);

describe("outgoing webhooks", () => {
  it("a failed run gives its owner's and its team's endpoints one signed delivery each; nobody else hears of it", async () => {
    const mine = await createEndpoint(alice, { url: `${receiverUrl}/alice`, states: ["failed"] });
    expect(mine.secret).toMatch(/^whsec_/);
    const team = await createEndpoint(admin, { url: `${receiverUrl}/team`, states: ["failed", "review"], owner: "team", description: "CI bridge" });
    await createEndpoint(bob, { url: `${receiverUrl}/bob`, states: ["failed"] });
    await createEndpoint(alice, { url: `${receiverUrl}/alice-review`, states: ["review"] });

    const runId = await failingRun(alice);
    const [own] = await settled(alice, mine.id, 1);
    const [teams] = await settled(admin, team.id, 1);
    expect(own).toMatchObject({ status: "delivered", attempts: 1, httpStatus: 200, eventType: "run.failed", runId });
    expect(teams).toMatchObject({ status: "delivered", attempts: 1, eventType: "run.failed", runId });

    for (const [path, secret, delivery] of [["/alice", mine.secret, own!], ["/team", team.secret, teams!]] as const) {
      const [got] = at(path);
      expect(at(path)).toHaveLength(1);
      // Signed with the endpoint's own secret over the exact bytes received, within the window.
      expect(verifySignature(secret, got!.raw, got!.headers["agentdesk-signature"] as string)).toEqual({ ok: true });
      expect(verifySignature(path === "/alice" ? team.secret : mine.secret, got!.raw, got!.headers["agentdesk-signature"] as string)).toMatchObject({ ok: false });
      expect(got!.headers["agentdesk-delivery"]).toBe(delivery.id);
      expect(got!.headers["agentdesk-event"]).toBe("run.failed");
      expect(got!.body).toMatchObject({ id: delivery.eventId, type: "run.failed", state: "failed", run: { id: runId, status: "failed", error: "tests failed" } });
      expect(got!.body.run!.url).toMatch(new RegExp(`/runs/${runId}$`));
    }
    // One event, one id, whichever endpoint hears of it.
    expect(own!.eventId).toBe(teams!.eventId);
    expect(at("/bob")).toEqual([]);
    expect(at("/alice-review")).toEqual([]);
  });

  it("a change noted twice (a recorder re-delivery) is delivered once per endpoint", async () => {
    const ep = await createEndpoint(bob, { url: `${receiverUrl}/bob-twice`, states: ["failed"] });
    const runId = await insertRunRow(bob.userId, repositoryId, "failed");
    const fanOut = fanOutFor({ job: { kind: "run", userId: bob.userId, runId, state: "failed" }, jobId: `failed-${runId}` });
    const app = await getApp();
    await fanOutWebhooks(app, fanOut.job);
    await fanOutWebhooks(app, fanOut.job);
    await settled(bob, ep.id, 1);
    const rows = await app.db.select().from(webhookDelivery).where(and(eq(webhookDelivery.endpointId, ep.id), eq(webhookDelivery.runId, runId)));
    expect(rows).toHaveLength(1);
    expect(at("/bob-twice")).toHaveLength(1);
  });

  it("a receiver answering 500 twice then 200 gets three attempts, all in the log", async () => {
    scripted.set("/flaky", [500, 500]);
    const ep = await createEndpoint(alice, { url: `${receiverUrl}/flaky`, states: ["failed"] });
    await failingRun(alice);
    const [delivery] = await eventually(async () => {
      const log = await deliveries(alice, ep.id);
      return log[0]?.status === "delivered" ? log : undefined;
    }, 60_000);
    expect(delivery).toMatchObject({ attempts: 3, httpStatus: 200, error: null, nextRetryAt: null });
    expect(delivery!.attemptLog.map((a) => [a.httpStatus, a.error])).toEqual([
      [500, "HTTP 500: down"],
      [500, "HTTP 500: down"],
      [200, null],
    ]);
    const bodies = at("/flaky");
    expect(bodies).toHaveLength(3);
    // The same delivery each time.
    expect(new Set(bodies.map((b) => b.headers["agentdesk-delivery"]))).toEqual(new Set([delivery!.id]));
  }, 60_000);

  it("Resend sends the same event again as a new delivery, audited; another person cannot", async () => {
    const ep = await createEndpoint(alice, { url: `${receiverUrl}/resend`, states: ["failed"] });
    await failingRun(alice);
    const [first] = await settled(alice, ep.id, 1);
    const params = { id: ep.id, deliveryId: first!.id };
    const path = `/api/webhooks/endpoints/${ep.id}/deliveries/${first!.id}/resend`;
    expect((await call(resendRoute, path, { method: "POST", as: bob, params })).status).toBe(404);
    const res = await call(resendRoute, path, { method: "POST", as: alice, params });
    expect(res.status, await res.clone().text()).toBe(202);
    const { delivery } = (await res.json()) as { delivery: DeliveryLogEntry };
    expect(delivery).toMatchObject({ eventId: first!.eventId, resendOf: first!.id, status: "pending" });
    expect(delivery.id).not.toBe(first!.id);
    await settled(alice, ep.id, 2);
    const got = at("/resend");
    expect(got).toHaveLength(2);
    expect(got[1]!.body).toEqual(got[0]!.body);
    expect(got[1]!.headers["agentdesk-delivery"]).toBe(delivery.id);
    const app = await getApp();
    const audited = await app.db.select().from(auditEvent).where(and(eq(auditEvent.subjectId, ep.id), eq(auditEvent.action, "webhook.resend")));
    expect(audited).toMatchObject([{ actorId: alice.userId, details: { deliveryId: first!.id, eventId: first!.eventId } }]);
  });

  it("a rotated secret signs what is sent after it, and the old one no longer verifies", async () => {
    const ep = await createEndpoint(bob, { url: `${receiverUrl}/rotate`, states: ["failed"] });
    const rotated = await call(rotateRoute, `/api/webhooks/endpoints/${ep.id}/rotate`, { method: "POST", as: bob, params: { id: ep.id } });
    expect(rotated.status).toBe(200);
    const { secret } = (await rotated.json()) as { secret: string };
    expect(secret).not.toBe(ep.secret);
    const ping = await call(pingRoute, `/api/webhooks/endpoints/${ep.id}/ping`, { method: "POST", as: bob, params: { id: ep.id } });
    expect(ping.status).toBe(202);
    await settled(bob, ep.id, 1);
    const [got] = at("/rotate");
    expect(got!.body.type).toBe("ping");
    expect(verifySignature(secret, got!.raw, got!.headers["agentdesk-signature"] as string)).toEqual({ ok: true });
    expect(verifySignature(ep.secret, got!.raw, got!.headers["agentdesk-signature"] as string)).toEqual({ ok: false, reason: "mismatch" });
  });

  it("keeps the secret sealed at rest; one sealed under another AUTH_SECRET fails its delivery, saying to rotate", async () => {
    const ep = await createEndpoint(bob, { url: `${receiverUrl}/sealed`, states: ["failed"] });
    const app = await getApp();
    const stored = async () => (await app.db.select({ secret: webhookEndpoint.secret }).from(webhookEndpoint).where(eq(webhookEndpoint.id, ep.id)))[0]!.secret;
    expect(await stored()).toMatch(/^sealed:v1:/);
    expect(await stored()).not.toContain(ep.secret.slice("whsec_".length));

    const elsewhere = createSecretBox(crypto.randomBytes(32).toString("hex")).seal(ep.secret);
    await app.db.update(webhookEndpoint).set({ secret: elsewhere }).where(eq(webhookEndpoint.id, ep.id));
    expect((await call(pingRoute, `/api/webhooks/endpoints/${ep.id}/ping`, { method: "POST", as: bob, params: { id: ep.id } })).status).toBe(202);
    const [failed] = await settled(bob, ep.id, 1);
    expect(failed).toMatchObject({ status: "failed", error: expect.stringMatching(/cannot be read with this AUTH_SECRET.*rotate the secret/) });
    expect(at("/sealed")).toEqual([]);
  });

  it("team endpoints are the team admins' to see and manage; a member's are their own", async () => {
    const team = await createEndpoint(admin, { url: `${receiverUrl}/team-only`, states: ["pushed"], owner: "team" });
    const refused = await call(createRoute, "/api/webhooks/endpoints", { as: alice, body: { url: `${receiverUrl}/x`, owner: "team" } });
    expect(refused.status).toBe(403);
    const aliceList = ((await (await call(listRoute, "/api/webhooks/endpoints", { as: alice })).json()) as { endpoints: EndpointView[] }).endpoints;
    expect(aliceList.every((e) => e.owner === "user")).toBe(true);
    const adminList = ((await (await call(listRoute, "/api/webhooks/endpoints", { as: admin })).json()) as { endpoints: EndpointView[] }).endpoints;
    expect(adminList.map((e) => e.id)).toContain(team.id);
    expect(JSON.stringify(adminList)).not.toContain("whsec_");
    // A member of the team is told the role it takes (as everywhere in the team); another
    // person's own endpoint does not exist for anyone else.
    for (const who of [alice, bob]) {
      expect((await call(patchRoute, `/api/webhooks/endpoints/${team.id}`, { method: "PATCH", as: who, params: { id: team.id }, body: { enabled: false } })).status).toBe(403);
      expect((await call(deleteRoute, `/api/webhooks/endpoints/${team.id}`, { method: "DELETE", as: who, params: { id: team.id } })).status).toBe(403);
      expect((await call(listDeliveriesRoute, `/api/webhooks/endpoints/${team.id}/deliveries`, { as: who, params: { id: team.id } })).status).toBe(403);
    }
    const bobs = await createEndpoint(bob, { url: `${receiverUrl}/bob-own`, states: ["failed"] });
    for (const who of [alice, admin]) {
      expect((await call(patchRoute, `/api/webhooks/endpoints/${bobs.id}`, { method: "PATCH", as: who, params: { id: bobs.id }, body: { enabled: false } })).status).toBe(404);
      expect((await call(rotateRoute, `/api/webhooks/endpoints/${bobs.id}/rotate`, { method: "POST", as: who, params: { id: bobs.id } })).status).toBe(404);
    }
    const off = await call(patchRoute, `/api/webhooks/endpoints/${team.id}`, { method: "PATCH", as: admin, params: { id: team.id }, body: { enabled: false } });
    expect(off.status).toBe(200);
    expect(await off.json()).toMatchObject({ enabled: false, states: ["pushed"] });
    expect((await call(deleteRoute, `/api/webhooks/endpoints/${team.id}`, { method: "DELETE", as: admin, params: { id: team.id } })).status).toBe(204);
  });

  it("refuses bad input with a 400 naming the field", async () => {
    for (const body of [{ url: "ftp://example.com/x" }, { url: "http://u:p@example.com/x" }, { url: `${receiverUrl}/x`, states: [] }, { url: `${receiverUrl}/x`, states: ["sometimes"] }, { url: `${receiverUrl}/x`, owner: "everyone" }]) {
      const res = await call(createRoute, "/api/webhooks/endpoints", { as: alice, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      const { error } = (await res.json()) as { error: { issues: { path: string }[] } };
      expect(error.issues[0]!.path).toMatch(/^(url|states|owner)/);
    }
    expect((await call(createRoute, "/api/webhooks/endpoints", { body: { url: `${receiverUrl}/x` } })).status).toBe(401);
  });
});
