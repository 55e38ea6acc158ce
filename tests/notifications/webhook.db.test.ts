import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Worker } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as deliveriesRoute } from "@/app/api/me/notifications/deliveries/route";
import { GET as getSettings, PUT as putSettings } from "@/app/api/me/notifications/route";
import { POST as testRoute } from "@/app/api/me/notifications/test/route";
import { POST as cancelRoute } from "@/app/api/runs/[id]/cancel/route";
import { GET as getRunRoute } from "@/app/api/runs/[id]/route";
import { POST as createRun } from "@/app/api/runs/route";
import { createRunEmitter } from "@/jobs/emit";
import { requestHumanInput } from "@/jobs/humanInput";
import { createEventLog } from "@/lib/eventLog";
import { createRedis } from "@/lib/redis";
import { startNotificationWorker } from "@/lib/server/notificationWorker";
import { notificationsQueue } from "@/lib/services/notifications";
import type { DeliveryView } from "@/lib/services/notificationsLog";
import { eventually } from "../jobs/helpers";
import { createTestRepo, type TestRepo } from "../support/gitRepo";
import { APP_ORIGIN, call, getApp, registerRepo, signUp, type Session } from "../support/web";
import { startWebWorker } from "../support/webWorker";

/**
 * Webhook notifications end to end: real runs through a real job process, the recorder queuing
 * what a run change calls for, the web's notifications worker delivering to a small HTTP
 * receiver here, retries with backoff, the delivery log, and who is (never) told what.
 */

// The receiver listens on 127.0.0.1: a private address, which this test's operator allows.
process.env.ALLOW_PRIVATE_WEBHOOKS = "1";

type Received = {
  path: string;
  body: { text: string; agentdesk: { event: string; run?: { id: string; url: string; title: string; status: string }; input?: unknown } };
};

let receiver: http.Server;
let receiverUrl: string;
const received: Received[] = [];
// Per path, the statuses to answer in turn (then 200).
const scripted = new Map<string, number[]>();

let admin: Session;
let alice: Session;
let bob: Session;
let carol: Session;
let repo: TestRepo;
let jobProcess: Awaited<ReturnType<typeof startWebWorker>>;
let notifier: Worker;
const repoName = `notify-${crypto.randomBytes(3).toString("hex")}`;

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let text = "";
    req.on("data", (c: Buffer) => (text += c.toString()));
    req.on("end", () => {
      const path = req.url ?? "/";
      expect(req.method).toBe("POST");
      expect(req.headers["content-type"]).toBe("application/json");
      received.push({ path, body: JSON.parse(text) as Received["body"] });
      const status = scripted.get(path)?.shift() ?? 200;
      res.writeHead(status, { "content-type": "text/plain" }).end(status === 200 ? "ok" : "try later");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  admin = await signUp(`admin-${crypto.randomUUID()}@example.com`);
  alice = await signUp(`alice-${crypto.randomUUID()}@example.com`);
  bob = await signUp(`bob-${crypto.randomUUID()}@example.com`);
  carol = await signUp(`carol-${crypto.randomUUID()}@example.com`);
  repo = await createTestRepo({ files: { "README.md": "# notify\n" } });
  expect((await registerRepo(admin, { name: repoName, url: repo.url })).status).toBe(201);
  jobProcess = await startWebWorker(`notify-${crypto.randomBytes(3).toString("hex")}`);
  notifier = startNotificationWorker(await getApp());
}, 120_000);

afterAll(async () => {
  await notifier?.close();
  await jobProcess?.stop();
  await notificationsQueue(await getApp()).close();
  await new Promise((resolve) => receiver?.close(resolve));
  await repo?.remove();
});

async function saveWebhook(as: Session, path: string | null, states: string[]) {
  const res = await call(putSettings, "/api/me/notifications", {
    method: "PUT",
    as,
    body: { webhookUrl: path === null ? null : `${receiverUrl}${path}`, states },
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

async function runTo(as: Session, command: string, status: "awaiting_review" | "failed"): Promise<string> {
  const res = await call(createRun, "/api/runs", { as, body: { repo: repoName, command } });
  expect(res.status, await res.clone().text()).toBe(201);
  const { id } = (await res.json()) as { id: string };
  await eventually(async () => {
    const run = (await (await call(getRunRoute, `/api/runs/${id}`, { as, params: { id } })).json()) as { status: string };
    return run.status === status ? true : undefined;
  }, 120_000);
  return id;
}

/**
 * Waits until the recorder queued the notification of each run's state and the worker finished
 * with it (sent, skipped by the owner's choice, or given up), then until nothing else waits.
 * The run's status is in the database before the recorder queues its job: status alone is not enough.
 */
async function notificationsSettled(...handled: [runId: string, state: string][]) {
  const queue = notificationsQueue(await getApp());
  await eventually(async () => {
    const done = await queue.getJobs(["completed", "failed"], 0, -1);
    return handled.every(([runId, state]) => done.some((j) => j.data.kind === "run" && j.data.runId === runId && j.data.state === state))
      ? true
      : undefined;
  }, 120_000);
  await eventually(async () => {
    const counts = await queue.getJobCounts("waiting", "active", "delayed", "prioritized", "waiting-children");
    return Object.values(counts).every((n) => n === 0) ? true : undefined;
  }, 120_000);
}

const about = (runId: string) => received.filter((r) => r.body.agentdesk.run?.id === runId);

const SLOW = 300_000;

describe("webhook notifications", () => {
  it("a run reaching review, and one failing, each give exactly one message with the run's link; nobody else hears of them", async () => {
    await saveWebhook(alice, "/alice", ["input", "review", "failed"]);
    await saveWebhook(admin, "/admin", ["input", "review", "failed"]);
    await saveWebhook(bob, "/bob", ["input", "review", "failed"]);

    const reviewed = await runTo(alice, "echo ready > ready.txt", "awaiting_review");
    const failed = await runTo(alice, "echo half > half.txt && exit 3", "failed");
    await notificationsSettled([reviewed, "review"], [failed, "failed"]);

    const review = about(reviewed);
    expect(review).toHaveLength(1);
    expect(review[0]!.path).toBe("/alice");
    expect(review[0]!.body.text).toContain(`<${APP_ORIGIN}/runs/${reviewed}|`);
    expect(review[0]!.body.text).toMatch(/Ready for review/);
    expect(review[0]!.body.agentdesk).toMatchObject({ event: "review", run: { id: reviewed, url: `${APP_ORIGIN}/runs/${reviewed}`, status: "awaiting_review" } });

    const failure = about(failed);
    expect(failure).toHaveLength(1);
    expect(failure[0]!.path).toBe("/alice");
    expect(failure[0]!.body.text).toMatch(/Failed/);
    expect(failure[0]!.body.agentdesk).toMatchObject({ event: "failed", run: { id: failed, status: "failed" } });

    // Another user's run never reaches bob, nor the admin (who sees every run, but acts on their own).
    expect(received.filter((r) => r.path !== "/alice")).toEqual([]);

    // The log shows each delivery once, delivered at the first attempt.
    const log = await deliveries(alice);
    expect(log.filter((d) => d.runId === reviewed)).toMatchObject([{ subject: "review", ok: true, attempt: 1, httpStatus: 200 }]);
    expect(log.filter((d) => d.runId === failed)).toMatchObject([{ subject: "failed", ok: true, attempt: 1, httpStatus: 200 }]);
  }, SLOW);

  it("a user who chose only failures hears nothing of a run ready for review, and of a failure", async () => {
    await saveWebhook(bob, "/bob-failed", ["failed"]);
    const reviewed = await runTo(bob, "echo ready > ready.txt", "awaiting_review");
    const failed = await runTo(bob, "exit 4", "failed");
    await notificationsSettled([reviewed, "review"], [failed, "failed"]);
    expect(about(reviewed)).toEqual([]);
    expect(about(failed).map((r) => [r.path, r.body.agentdesk.event])).toEqual([["/bob-failed", "failed"]]);
  }, SLOW);

  it("a receiver answering 500 then 200 gets the message again, and the log shows both attempts", async () => {
    scripted.set("/carol", [500]);
    await saveWebhook(carol, "/carol", ["review"]);
    const reviewed = await runTo(carol, "echo ready > ready.txt", "awaiting_review");
    await notificationsSettled([reviewed, "review"]);
    expect(about(reviewed).map((r) => r.path)).toEqual(["/carol", "/carol"]);
    const log = (await deliveries(carol)).filter((d) => d.runId === reviewed);
    expect(log).toMatchObject([
      { attempt: 2, ok: true, httpStatus: 200, willRetry: false },
      { attempt: 1, ok: false, httpStatus: 500, willRetry: true, error: "HTTP 500: try later" },
    ]);
    expect(log[0]!.jobId).toBe(log[1]!.jobId);
  }, SLOW);

  it("an approval the run waits for gives one message naming the tool, never the command", async () => {
    await saveWebhook(carol, "/carol-input", ["input"]);
    const res = await call(createRun, "/api/runs", { as: carol, body: { repo: repoName, command: "sleep 120" } });
    expect(res.status).toBe(201);
    const { id: runId } = (await res.json()) as { id: string };
    const app = await getApp();
    await eventually(async () => {
      const run = (await (await call(getRunRoute, `/api/runs/${runId}`, { as: carol, params: { id: runId } })).json()) as { status: string };
      return run.status === "running" ? true : undefined;
    }, 120_000);
    // The job process's part, as the agent loop asks.
    const jobRedis = createRedis(app.config.redisUrl, "worker");
    const jobLog = createEventLog(jobRedis, app.config.redisPrefix);
    const requestId = `approve-${crypto.randomBytes(3).toString("hex")}`;
    const controller = new AbortController();
    const asked = requestHumanInput(
      { eventLog: jobLog, emit: createRunEmitter(jobLog, runId, []), runId, signal: controller.signal, timeoutSec: 600 },
      { requestId, kind: "approval", tool: "shell", input: { command: "curl -H 'Authorization: Bearer s3cr3t' https://example.com" } },
    ).catch(() => null);
    try {
      await notificationsSettled([runId, "input"]);
      const messages = about(runId);
      expect(messages).toHaveLength(1);
      expect(messages[0]!.path).toBe("/carol-input");
      expect(messages[0]!.body.text).toMatch(/Approval needed for `shell`/);
      expect(messages[0]!.body.agentdesk).toMatchObject({ event: "input", input: { kind: "approval", tool: "shell" }, run: { status: "waiting_input" } });
      expect(JSON.stringify(messages[0]!.body)).not.toMatch(/s3cr3t|curl/);
    } finally {
      expect((await call(cancelRoute, `/api/runs/${runId}/cancel`, { method: "POST", as: carol, params: { id: runId } })).status).toBe(200);
      controller.abort();
      await asked;
      jobRedis.disconnect();
    }
  }, SLOW);

  it("sends a test message to the saved webhook; without one it is a 409 naming the field", async () => {
    const res = await call(testRoute, "/api/me/notifications/test", { method: "POST", as: alice });
    expect(res.status, await res.clone().text()).toBe(202);
    await notificationsSettled();
    const tests = received.filter((r) => r.body.agentdesk.event === "test");
    expect(tests.map((r) => r.path)).toEqual(["/alice"]);
    expect(tests[0]!.body.text).toContain(`${APP_ORIGIN}/settings/notifications`);
    expect((await deliveries(alice))[0]).toMatchObject({ subject: "test", ok: true, attempt: 1 });

    const dave = await signUp(`dave-${crypto.randomUUID()}@example.com`);
    const none = await call(testRoute, "/api/me/notifications/test", { method: "POST", as: dave });
    expect(none.status).toBe(409);
    expect(await none.json()).toMatchObject({ error: { issues: [{ path: "webhookUrl" }] } });
  }, SLOW);

  it("refuses a bad webhook URL with a 400 naming the field, and keeps the settings as they were", async () => {
    for (const webhookUrl of ["not a url", "ftp://example.com/hook", "/relative", `http://user:secret@example.com/hook`, 42]) {
      const res = await call(putSettings, "/api/me/notifications", { method: "PUT", as: alice, body: { webhookUrl, states: ["failed"] } });
      expect(res.status, String(webhookUrl)).toBe(400);
      const { error } = (await res.json()) as { error: { issues: { path: string }[] } };
      expect(error.issues.map((i) => i.path)).toContain("webhookUrl");
    }
    const bad = await call(putSettings, "/api/me/notifications", { method: "PUT", as: alice, body: { webhookUrl: null, states: ["sometimes"] } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { issues: { path: string }[] } }).error.issues[0]!.path).toMatch(/^states/);

    const settings = await (await call(getSettings, "/api/me/notifications", { as: alice })).json();
    expect(settings).toEqual({ webhookUrl: `${receiverUrl}/alice`, states: ["input", "review", "failed"] });
    expect((await call(getSettings, "/api/me/notifications")).status).toBe(401);
  });

  it("refuses a cross-origin change of the settings", async () => {
    const res = await call(putSettings, "/api/me/notifications", {
      method: "PUT",
      as: alice,
      headers: { origin: "https://evil.example" },
      body: { webhookUrl: "https://evil.example/hook", states: ["failed"] },
    });
    expect(res.status).toBe(403);
  });
});

async function deliveries(as: Session): Promise<DeliveryView[]> {
  const res = await call(deliveriesRoute, "/api/me/notifications/deliveries", { as });
  expect(res.status).toBe(200);
  return ((await res.json()) as { deliveries: DeliveryView[] }).deliveries;
}
