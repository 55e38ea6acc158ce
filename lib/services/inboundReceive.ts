import crypto from "node:crypto";
import { and, eq } from "drizzle-orm";
import { INBOUND_DELIVERY_HEADER, INBOUND_EVENT_HEADER, inboundRules } from "../contracts/inboundWebhooks";
import { GITHUB_SIGNATURE_HEADER, SIGNATURE_HEADER, verifyGithubSignature, verifySignature } from "../contracts/webhookSignature";
import { inboundDelivery, inboundWebhook, user } from "../db/schema";
import { AppError } from "../errors";
import { hitLimit } from "../fixedWindowLimit";
import { SecretUnreadableError } from "../secretBox";
import { matchDirect, matchGithub, type Match } from "../inboundMatch";
import type { App } from "../server/app";
import type { Principal } from "./principal";
import { runIdFor } from "./runs";
import { membershipRole } from "./teams";
import { getTemplate, startRunFromTemplate } from "./templates";

/**
 * POST /api/webhooks/in/:id, the receiving side of a repository's incoming webhook. No session:
 * the signature over the raw body is the only proof (lib/contracts/webhookSignature.ts), checked
 * before anything in the body is read. Then the delivery id is claimed (unique per webhook, so a
 * delivery sent twice, even at once, is handled once), the rules decide, and a run starts from
 * the webhook's template as the admin who made the webhook.
 */

export type InboundAnswer = { status: number; body: unknown; headers?: Record<string, string> };

/**
 * Signed deliveries per webhook per minute. Forged requests count apart, against the same number
 * (`…:forged`): a flood of them must not use up the real sender's minute, and what each costs
 * before it is refused is bounded anyway (a lookup by id, at most 512 KiB read, one HMAC).
 */
export const INBOUND_RATE_LIMIT = 120;

export function inboundLimitKey(prefix: string, webhookId: string, signed: boolean): string {
  return `${prefix}webhooks:in:${webhookId}${signed ? "" : ":forged"}`;
}

const refused: InboundAnswer = { status: 401, body: { error: { code: "unauthorized", message: "Signature missing or invalid" } } };
const notFoundAnswer: InboundAnswer = { status: 404, body: { error: { code: "not_found", message: "Webhook not found" } } };
const DELIVERY_ID = /^[\x21-\x7e]{1,200}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function receiveInbound(app: App, webhookId: string, headers: Headers, readBody: () => Promise<Buffer | null>): Promise<InboundAnswer> {
  if (!UUID.test(webhookId)) return notFoundAnswer;
  const [hook] = await app.db.select().from(inboundWebhook).where(eq(inboundWebhook.id, webhookId));
  if (!hook || !hook.enabled) return notFoundAnswer;

  const body = await readBody();
  if (body === null) return { status: 413, body: { error: { code: "payload_too_large", message: "The body is too large" } } };

  // Verified before anything else is read from the request.
  const github = headers.has(GITHUB_SIGNATURE_HEADER);
  let secret: string;
  try {
    secret = app.secretBox.open(hook.secret);
  } catch (err) {
    if (!(err instanceof SecretUnreadableError)) throw err;
    // The sender cannot fix this; the webhook's admins can, by rotating the secret. Nothing is
    // noted on the delivery log: an unverified request must not write there.
    console.error(`[webhooks] incoming webhook ${hook.id}: ${err.message}`);
    return { status: 503, body: { error: { code: "unavailable", message: "This webhook cannot check signatures until its secret is rotated" } } };
  }
  const verified = github ? verifyGithubSignature(secret, body, headers.get(GITHUB_SIGNATURE_HEADER)) : verifySignature(secret, body, headers.get(SIGNATURE_HEADER));
  const limit = await hitLimit(app.redis, inboundLimitKey(app.config.redisPrefix, hook.id, verified.ok), INBOUND_RATE_LIMIT, 60);
  if (!limit.ok) {
    return { status: 429, body: { error: { code: "rate_limited", message: "Too many deliveries; try again later" } }, headers: { "retry-after": String(limit.retryAfterSec) } };
  }
  if (!verified.ok) return refused;

  const deliveryId = headers.get(github ? "x-github-delivery" : INBOUND_DELIVERY_HEADER);
  const headerName = github ? "X-GitHub-Delivery" : "AgentDesk-Delivery";
  if (!deliveryId || !DELIVERY_ID.test(deliveryId)) return badRequest(headerName, "a delivery id (1 to 200 visible characters) is required");
  const event = (github ? headers.get("x-github-event") : (headers.get(INBOUND_EVENT_HEADER) ?? "run")) ?? "";
  if (!/^[a-z_.]{1,64}$/.test(event)) return badRequest(github ? "X-GitHub-Event" : "AgentDesk-Event", "an event name is required");
  let payload: unknown;
  try {
    payload = body.length === 0 ? {} : JSON.parse(body.toString("utf8"));
  } catch {
    return { status: 400, body: { error: { code: "invalid_request", message: "The body is not valid JSON" } } };
  }

  // The claim: one row per (webhook, delivery id); whoever inserts it handles the delivery.
  const claimed = await app.db
    .insert(inboundDelivery)
    .values({ id: crypto.randomUUID(), webhookId: hook.id, deliveryId, event })
    .onConflictDoNothing({ target: [inboundDelivery.webhookId, inboundDelivery.deliveryId] })
    .returning({ id: inboundDelivery.id });
  if (claimed.length === 0) {
    const [prior] = await app.db
      .select()
      .from(inboundDelivery)
      .where(and(eq(inboundDelivery.webhookId, hook.id), eq(inboundDelivery.deliveryId, deliveryId)));
    if (!prior || prior.outcome === "received") {
      return { status: 409, body: { error: { code: "conflict", message: `Delivery ${deliveryId} is being handled` } } };
    }
    return { status: 200, body: { duplicate: true, deliveryId, outcome: prior.outcome, runId: prior.runId } };
  }
  const claimId = claimed[0]!.id;
  const settle = (outcome: "started" | "ignored" | "failed", detail: string | null, runId: string | null = null) =>
    app.db.update(inboundDelivery).set({ outcome, detail, runId }).where(eq(inboundDelivery.id, claimId));

  const rules = inboundRules.safeParse(hook.rules);
  if (!rules.success) {
    await settle("failed", "the webhook's rules are no longer valid");
    return { status: 422, body: { error: { code: "unprocessable", message: "The webhook's rules are no longer valid; an admin must save them again" } } };
  }
  const match: Match = github ? matchGithub(rules.data, event, payload) : matchDirect(rules.data, event, payload);
  if (!match.start) {
    await settle("ignored", match.reason);
    return { status: 200, body: { ignored: true, reason: match.reason, deliveryId } };
  }

  try {
    const principal = await ownerPrincipal(app, hook);
    const template = await getTemplate(app, principal, hook.templateId);
    // Only what the template declares: it refuses names it does not know.
    const declared = new Set(template.variables.map((v) => v.name));
    const variables = Object.fromEntries(Object.entries(match.variables).filter(([name]) => declared.has(name)));
    // A run id derived from the delivery: even a retried start makes one run.
    const { run } = await startRunFromTemplate(app, principal, hook.templateId, variables, { runId: runIdFor(`webhook:${hook.id}:${deliveryId}`) });
    await settle("started", null, run.id);
    return { status: 202, body: { runId: run.id, deliveryId } };
  } catch (err) {
    if (err instanceof AppError) {
      await settle("failed", err.message);
      return { status: 422, body: { error: { code: "unprocessable", message: `No run started: ${err.message}` } } };
    }
    // An outage: the claim goes, so the sender's retry of this delivery is handled afresh.
    await app.db.delete(inboundDelivery).where(eq(inboundDelivery.id, claimId));
    throw err;
  }
}

/** The webhook's runs are its maker's, in its team, with the role they have there now. */
async function ownerPrincipal(app: Pick<App, "db">, hook: typeof inboundWebhook.$inferSelect): Promise<Principal> {
  const [owner] = await app.db.select().from(user).where(eq(user.id, hook.createdBy));
  if (!owner || owner.disabledAt) throw new AppError("conflict", "the webhook's owner can no longer start runs");
  const role = await membershipRole(app, hook.teamId, owner.id);
  if (!role) throw new AppError("conflict", "the webhook's owner is no longer in its team");
  return { userId: owner.id, email: owner.email, name: owner.name, role: owner.role, via: "schedule", team: { id: hook.teamId, role }, scope: "admin" };
}

const badRequest = (header: string, message: string): InboundAnswer => ({
  status: 400,
  body: { error: { code: "invalid_request", message: `${header}: ${message}`, issues: [{ path: header, message }] } },
});
