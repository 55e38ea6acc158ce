import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as deliveriesRoute } from "@/app/api/repos/[name]/webhooks/[id]/deliveries/route";
import { POST as rotateRoute } from "@/app/api/repos/[name]/webhooks/[id]/rotate/route";
import { DELETE as deleteRoute, PATCH as patchRoute } from "@/app/api/repos/[name]/webhooks/[id]/route";
import { GET as listRoute, POST as createRoute } from "@/app/api/repos/[name]/webhooks/route";
import { DELETE as deleteTemplateRoute } from "@/app/api/templates/[id]/route";
import { POST as createTemplateRoute } from "@/app/api/templates/route";
import { POST as receiveRoute } from "@/app/api/webhooks/in/[id]/route";
import { signGithubPayload, signPayload } from "@/lib/contracts/webhookSignature";
import { auditEvent, inboundWebhook, run, runTemplate } from "@/lib/db/schema";
import { createSecretBox } from "@/lib/secretBox";
import { INBOUND_RATE_LIMIT, inboundLimitKey } from "@/lib/services/inboundReceive";
import type { InboundDeliveryView, InboundWebhookView } from "@/lib/services/inboundWebhooks";
import { advertiseWorker, withdrawWorker } from "@/lib/workerDirectory";
import { call, getApp, otherTeam, registerRepo, signUp, signUpInto, type Session } from "../support/web";

/**
 * Incoming webhooks through the real route, database and queue: a signed delivery starts one
 * run from the webhook's template, once per delivery id (also when sent twice at once); a
 * forged, stale or missing signature starts nothing; GitHub's issue and comment payloads map to
 * the template's variables; events that match no rule are answered 200 and logged.
 */

const ADVERT = { name: "inbound-worker", startedAt: new Date().toISOString(), concurrency: 1, activeRuns: 0, sandbox: "on" as const };

let owner: Session;
let member: Session;
let bob: Session;
let hook: InboundWebhookView & { secret: string };
const repoDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-inbound-repo-"));

const issue = { number: 42, title: "Crash on empty input", body: "Steps: run it with no arguments.", html_url: "https://github.com/acme/app/issues/42" };
const labeled = (label: string) => ({ action: "labeled", label: { name: label }, issue, repository: { full_name: "acme/app" }, sender: { login: "octo", type: "User" } });
const commented = (body: string, type = "User") => ({ action: "created", comment: { body, user: { login: "octo", type } }, issue, repository: { full_name: "acme/app" }, sender: { login: "octo", type } });

function githubDelivery(id: string, event: string, payload: unknown, secret = hook.secret, deliveryId = crypto.randomUUID()) {
  const raw = JSON.stringify(payload);
  return call(receiveRoute, `/api/webhooks/in/${id}`, {
    method: "POST",
    rawBody: raw,
    params: { id },
    headers: { "content-type": "application/json", "x-github-event": event, "x-github-delivery": deliveryId, "x-hub-signature-256": signGithubPayload(secret, raw) },
  });
}

function directDelivery(payload: unknown, deliveryId: string, opts: { secret?: string; at?: number; signature?: string | null } = {}) {
  const raw = JSON.stringify(payload);
  const headers: Record<string, string> = { "content-type": "application/json", "agentdesk-delivery": deliveryId };
  const signature = opts.signature === undefined ? signPayload(opts.secret ?? hook.secret, raw, opts.at) : opts.signature;
  if (signature !== null) headers["agentdesk-signature"] = signature;
  return call(receiveRoute, `/api/webhooks/in/${hook.id}`, { method: "POST", rawBody: raw, params: { id: hook.id }, headers });
}

async function runsOf(userId: string) {
  return (await getApp()).db.select({ id: run.id, prompt: run.prompt }).from(run).where(eq(run.userId, userId));
}

async function deliveries(): Promise<InboundDeliveryView[]> {
  const res = await call(deliveriesRoute, `/api/repos/inbound/webhooks/${hook.id}/deliveries`, { as: owner, params: { name: "inbound", id: hook.id } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { deliveries: InboundDeliveryView[] }).deliveries;
}

beforeAll(async () => {
  owner = await signUp(`in-owner-${crypto.randomUUID()}@example.com`);
  member = await signUpInto(owner, "member");
  bob = (await otherTeam()).owner;
  expect((await registerRepo(owner, { name: "inbound", url: repoDir })).status).toBe(201);
  const app = await getApp();
  await advertiseWorker(app.redis, app.config.redisPrefix, { ...ADVERT, executors: [{ name: "agent", available: true }] });
  const tpl = await call(createTemplateRoute, "/api/templates", {
    as: owner,
    body: {
      name: "Issue fixer",
      repo: "inbound",
      prompt: "Fix #{{issue.number}} {{issue.title}} ({{issue.url}}) from {{sender}}:\n{{issue.body}}\n{{comment.body}}",
      variables: [{ name: "issue.number", required: true }, { name: "issue.title", required: true }, { name: "issue.url" }, { name: "issue.body" }, { name: "comment.body" }, { name: "sender" }],
    },
  });
  expect(tpl.status, await tpl.clone().text()).toBe(201);
  const templateId = ((await tpl.json()) as { id: string }).id;
  const made = await call(createRoute, "/api/repos/inbound/webhooks", {
    as: owner,
    params: { name: "inbound" },
    body: { templateId, rules: { issueLabel: "agentdesk", mention: "@agentdesk", direct: true } },
  });
  expect(made.status, await made.clone().text()).toBe(201);
  hook = await made.json();
});

afterAll(async () => {
  const app = await getApp();
  await withdrawWorker(app.redis, app.config.redisPrefix, ADVERT.name);
});

describe("incoming webhooks", () => {
  it("shows the URL and secret once, keeps the secret sealed at rest; admins only manage them", async () => {
    expect(hook.url).toMatch(new RegExp(`/api/webhooks/in/${hook.id}$`));
    expect(hook.secret).toMatch(/^whsec_/);
    const [stored] = await (await getApp()).db.select({ secret: inboundWebhook.secret }).from(inboundWebhook).where(eq(inboundWebhook.id, hook.id));
    expect(stored!.secret).toMatch(/^sealed:v1:/);
    expect(stored!.secret).not.toContain(hook.secret.slice("whsec_".length));
    const list = await call(listRoute, "/api/repos/inbound/webhooks", { as: owner, params: { name: "inbound" } });
    expect(JSON.stringify(await list.json())).not.toContain(hook.secret);
    expect((await call(listRoute, "/api/repos/inbound/webhooks", { as: member, params: { name: "inbound" } })).status).toBe(403);
    expect((await call(listRoute, "/api/repos/inbound/webhooks", { as: bob, params: { name: "inbound" } })).status).toBe(404);
    const other = await call(createRoute, "/api/repos/inbound/webhooks", { as: owner, params: { name: "inbound" }, body: { templateId: "nope", rules: { direct: true } } });
    expect(other.status).toBe(400);
    expect(((await other.json()) as { error: { issues: { path: string }[] } }).error.issues[0]!.path).toBe("templateId");
    const noRule = await call(createRoute, "/api/repos/inbound/webhooks", { as: owner, params: { name: "inbound" }, body: { templateId: hook.templateId, rules: {} } });
    expect(noRule.status).toBe(400);
  });

  it("a labelled GitHub issue starts one run whose prompt carries the issue; the same delivery again starts none", async () => {
    const before = (await runsOf(owner.userId)).length;
    const deliveryId = crypto.randomUUID();
    const res = await githubDelivery(hook.id, "issues", labeled("AgentDesk"), hook.secret, deliveryId);
    expect(res.status, await res.clone().text()).toBe(202);
    const { runId } = (await res.json()) as { runId: string };
    const runs = await runsOf(owner.userId);
    expect(runs).toHaveLength(before + 1);
    const made = runs.find((r) => r.id === runId)!;
    expect(made.prompt).toContain("Fix #42 Crash on empty input (https://github.com/acme/app/issues/42) from octo:");
    expect(made.prompt).toContain("Steps: run it with no arguments.");

    const again = await githubDelivery(hook.id, "issues", labeled("AgentDesk"), hook.secret, deliveryId);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ duplicate: true, runId, outcome: "started" });
    expect(await runsOf(owner.userId)).toHaveLength(before + 1);
    expect((await deliveries()).filter((d) => d.deliveryId === deliveryId)).toMatchObject([{ outcome: "started", runId, event: "issues" }]);
  });

  it("the same delivery sent five times at once starts one run", async () => {
    const before = (await runsOf(owner.userId)).length;
    const deliveryId = crypto.randomUUID();
    const answers = await Promise.all(Array.from({ length: 5 }, () => directDelivery({ variables: { "issue.number": 7, "issue.title": "At once" } }, deliveryId)));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    expect(statuses.every((s) => s === 202 || s === 200 || s === 409)).toBe(true);
    expect(await runsOf(owner.userId)).toHaveLength(before + 1);
  });

  it("refuses a forged, stale or missing signature with 401 and starts nothing", async () => {
    const before = (await runsOf(owner.userId)).length;
    const body = { variables: { "issue.number": 1, "issue.title": "forged" } };
    const now = Math.floor(Date.now() / 1000);
    const cases = [
      directDelivery(body, crypto.randomUUID(), { secret: "whsec_guess" }),
      directDelivery(body, crypto.randomUUID(), { at: now - 600 }),
      directDelivery(body, crypto.randomUUID(), { at: now + 600 }),
      directDelivery(body, crypto.randomUUID(), { signature: null }),
      directDelivery(body, crypto.randomUUID(), { signature: "t=1,v1=00" }),
      githubDelivery(hook.id, "issues", labeled("agentdesk"), "whsec_guess"),
    ];
    for (const res of await Promise.all(cases)) {
      expect(res.status).toBe(401);
      // The same words whatever was wrong: nothing that helps a forger.
      expect(await res.json()).toEqual({ error: { code: "unauthorized", message: "Signature missing or invalid" } });
    }
    // A body changed after signing.
    const raw = JSON.stringify(body);
    const tampered = await call(receiveRoute, `/api/webhooks/in/${hook.id}`, {
      method: "POST",
      rawBody: raw.replace("forged", "tampered"),
      params: { id: hook.id },
      headers: { "agentdesk-delivery": crypto.randomUUID(), "agentdesk-signature": signPayload(hook.secret, raw) },
    });
    expect(tampered.status).toBe(401);
    expect(await runsOf(owner.userId)).toHaveLength(before);
    // Nothing was logged for them either: a forger cannot fill the log.
    expect((await deliveries()).filter((d) => d.event === "run" && d.outcome !== "started")).toEqual([]);
  });

  it("maps a comment mentioning @agentdesk; ignores other labels, bots, other events, with 200", async () => {
    const before = (await runsOf(owner.userId)).length;
    const mention = await githubDelivery(hook.id, "issue_comment", commented("Hey @AgentDesk please fix this"));
    expect(mention.status, await mention.clone().text()).toBe(202);
    const { runId } = (await mention.json()) as { runId: string };
    expect((await runsOf(owner.userId)).find((r) => r.id === runId)!.prompt).toContain("Hey @AgentDesk please fix this");

    for (const [event, payload] of [
      ["issues", labeled("bug")],
      ["issue_comment", commented("mail me at me@agentdesk.io")],
      ["issue_comment", commented("@agentdesk fix", "Bot")],
      ["push", { ref: "refs/heads/main" }],
      ["ping", { zen: "Keep it logically awesome." }],
    ] as const) {
      const res = await githubDelivery(hook.id, event, payload);
      expect(res.status, `${event} ${JSON.stringify(payload)}`).toBe(200);
      expect(await res.json()).toMatchObject({ ignored: true });
    }
    expect(await runsOf(owner.userId)).toHaveLength(before + 1);
    expect((await deliveries()).filter((d) => d.outcome === "ignored").length).toBeGreaterThanOrEqual(5);
  });

  it("a rotated secret is the only one accepted; a turned-off webhook and an unknown id are 404", async () => {
    const rotated = await call(rotateRoute, `/api/repos/inbound/webhooks/${hook.id}/rotate`, { method: "POST", as: owner, params: { name: "inbound", id: hook.id } });
    const { secret } = (await rotated.json()) as { secret: string };
    expect((await githubDelivery(hook.id, "ping", {}, hook.secret)).status).toBe(401);
    expect((await githubDelivery(hook.id, "ping", {}, secret)).status).toBe(200);
    hook.secret = secret;
    const off = await call(patchRoute, `/api/repos/inbound/webhooks/${hook.id}`, { method: "PATCH", as: owner, params: { name: "inbound", id: hook.id }, body: { enabled: false } });
    expect(off.status).toBe(200);
    expect((await githubDelivery(hook.id, "issues", labeled("agentdesk"))).status).toBe(404);
    expect((await githubDelivery(crypto.randomUUID(), "issues", labeled("agentdesk"))).status).toBe(404);
    await call(patchRoute, `/api/repos/inbound/webhooks/${hook.id}`, { method: "PATCH", as: owner, params: { name: "inbound", id: hook.id }, body: { enabled: true } });
    const app = await getApp();
    const actions = (await app.db.select({ action: auditEvent.action }).from(auditEvent).where(eq(auditEvent.subjectId, hook.id))).map((a) => a.action).sort();
    expect(actions).toEqual(["webhook.create", "webhook.rotate", "webhook.update", "webhook.update"]);
  });

  it("keeps a template while a webhook starts runs from it: deleting it is a 409 naming the repository", async () => {
    const tpl = await call(createTemplateRoute, "/api/templates", { as: owner, body: { name: `Kept ${crypto.randomUUID()}`, repo: "inbound", prompt: "Triage" } });
    expect(tpl.status).toBe(201);
    const templateId = ((await tpl.json()) as { id: string }).id;
    const made = await call(createRoute, "/api/repos/inbound/webhooks", { as: owner, params: { name: "inbound" }, body: { templateId, rules: { direct: true } } });
    expect(made.status).toBe(201);
    const second = (await made.json()) as InboundWebhookView;
    const removeTemplate = () => call(deleteTemplateRoute, `/api/templates/${templateId}`, { as: owner, method: "DELETE", params: { id: templateId } });

    const refused = await removeTemplate();
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/used by an incoming webhook of inbound; point it at another template or delete it first/);
    // The key holds it without the service's check too.
    const app = await getApp();
    await expect(app.db.delete(runTemplate).where(eq(runTemplate.id, templateId))).rejects.toThrow();

    const gone = await call(deleteRoute, `/api/repos/inbound/webhooks/${second.id}`, { as: owner, method: "DELETE", params: { name: "inbound", id: second.id } });
    expect(gone.status).toBe(204);
    expect((await removeTemplate()).status).toBe(204);
  });

  it("answers 503 while its secret was sealed under another AUTH_SECRET, until it is rotated", async () => {
    const app = await getApp();
    const elsewhere = createSecretBox(crypto.randomUUID() + crypto.randomUUID()).seal(hook.secret);
    await app.db.update(inboundWebhook).set({ secret: elsewhere }).where(eq(inboundWebhook.id, hook.id));
    const res = await githubDelivery(hook.id, "ping", {});
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: { message: "This webhook cannot check signatures until its secret is rotated" } });
    const rotated = await call(rotateRoute, `/api/repos/inbound/webhooks/${hook.id}/rotate`, { method: "POST", as: owner, params: { name: "inbound", id: hook.id } });
    hook.secret = ((await rotated.json()) as { secret: string }).secret;
    expect((await githubDelivery(hook.id, "ping", {})).status).toBe(200);
  });

  it("refuses a body over the size limit with 413 before verifying, and rate-limits a flood", async () => {
    const big = "x".repeat(600 * 1024);
    const res = await call(receiveRoute, `/api/webhooks/in/${hook.id}`, { method: "POST", rawBody: big, params: { id: hook.id }, headers: { "agentdesk-signature": signPayload(hook.secret, big), "agentdesk-delivery": "big" } });
    expect(res.status).toBe(413);
    const app = await getApp();
    const signedKey = inboundLimitKey(app.config.redisPrefix, hook.id, true);
    await app.redis.set(signedKey, String(INBOUND_RATE_LIMIT), "EX", 60);
    const limited = await githubDelivery(hook.id, "ping", {});
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    await app.redis.del(signedKey);
  });

  it("counts forged requests apart: a flood of them leaves the real sender's deliveries through", async () => {
    const app = await getApp();
    // The forged requests of the tests before this one counted too.
    await app.redis.del(inboundLimitKey(app.config.redisPrefix, hook.id, false));
    const forged = await Promise.all(Array.from({ length: INBOUND_RATE_LIMIT + 5 }, () => githubDelivery(hook.id, "ping", {}, "not-the-secret")));
    const statuses = forged.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(INBOUND_RATE_LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
    // The signed delivery after the flood is handled: "ping" matches no rule, so 200 ignored.
    const real = await githubDelivery(hook.id, "ping", {});
    expect(real.status).toBe(200);
    expect(await real.json()).toMatchObject({ ignored: true });
    await app.redis.del(inboundLimitKey(app.config.redisPrefix, hook.id, false));
  });
});
