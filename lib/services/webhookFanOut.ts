import crypto from "node:crypto";
import { and, desc, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import { webhookEventTypes, type WebhookPayload } from "../contracts/webhooks";
import { notificationStates, type NotificationState } from "../contracts/notifications";
import { webhookDelivery, webhookEndpoint } from "../db/schema";
import type { FanOutJob } from "../notificationsQueue";
import type { App } from "../server/app";
import { runFacts } from "./notificationsDelivery";
import { queueWebhookDelivery } from "./webhookDeliveries";

/** Deliveries kept per endpoint: its log shows what happened lately, never a growing table. */
export const ENDPOINT_LOG_SIZE = 100;

/**
 * One run change for the signed JSON endpoints (the notifications worker calls it): the run's
 * owner's endpoints and its team's that chose the state each get one delivery row of the event
 * (the unique index on endpoint and event id makes a re-run of this job add none), then each
 * pending one is queued (its job id is the delivery's, so BullMQ keeps one).
 */
export async function fanOutWebhooks(app: Pick<App, "db" | "redis" | "config">, job: FanOutJob): Promise<{ deliveries: number; reason?: string }> {
  const facts = await runFacts(app, job);
  if ("reason" in facts) return { deliveries: 0, reason: facts.reason };
  const endpoints = await app.db
    .select({ id: webhookEndpoint.id, states: webhookEndpoint.states })
    .from(webhookEndpoint)
    .where(
      and(
        eq(webhookEndpoint.enabled, true),
        or(eq(webhookEndpoint.userId, job.userId), eq(webhookEndpoint.teamId, facts.run.teamId)),
      ),
    );
  const chosen = endpoints.filter((e) => statesOf(e.states).includes(job.state));
  if (chosen.length === 0) return { deliveries: 0, reason: `no endpoint chose ${job.state}` };

  const payload: WebhookPayload = {
    id: job.eventId,
    type: webhookEventTypes[job.state],
    createdAt: new Date().toISOString(),
    state: job.state,
    run: {
      id: facts.run.id,
      title: facts.run.title,
      repo: facts.run.repo,
      team: facts.run.team,
      status: facts.run.status,
      branch: facts.run.branch,
      url: `${app.config.appUrl}/runs/${encodeURIComponent(facts.run.id)}`,
      ...(job.state === "failed" && facts.run.error ? { error: firstLine(facts.run.error) } : {}),
    },
    ...(facts.input ? { input: { kind: facts.input.kind, ...(facts.input.tool ? { tool: facts.input.tool } : {}) } } : {}),
  };
  await app.db
    .insert(webhookDelivery)
    .values(
      chosen.map((e) => ({
        id: crypto.randomUUID(),
        endpointId: e.id,
        eventId: job.eventId,
        eventType: payload.type,
        runId: job.runId,
        payload,
      })),
    )
    .onConflictDoNothing({ target: [webhookDelivery.endpointId, webhookDelivery.eventId], where: sql`${webhookDelivery.resendOf} is null` });

  const rows = await app.db
    .select({ id: webhookDelivery.id, endpointId: webhookDelivery.endpointId, status: webhookDelivery.status })
    .from(webhookDelivery)
    .where(and(eq(webhookDelivery.eventId, job.eventId), isNull(webhookDelivery.resendOf), inArray(webhookDelivery.endpointId, chosen.map((e) => e.id))));
  for (const row of rows) if (row.status === "pending") await queueWebhookDelivery(app, row.id);
  for (const e of chosen) await pruneLog(app, e.id);
  return { deliveries: rows.length };
}

const statesOf = (stored: unknown): NotificationState[] =>
  Array.isArray(stored) ? stored.filter((s): s is NotificationState => (notificationStates as readonly unknown[]).includes(s)) : [];

/** Drops an endpoint's deliveries beyond its newest ENDPOINT_LOG_SIZE. */
async function pruneLog(app: Pick<App, "db">, endpointId: string) {
  const [oldestKept] = await app.db
    .select({ at: webhookDelivery.createdAt })
    .from(webhookDelivery)
    .where(eq(webhookDelivery.endpointId, endpointId))
    .orderBy(desc(webhookDelivery.createdAt))
    .offset(ENDPOINT_LOG_SIZE - 1)
    .limit(1);
  if (oldestKept) await app.db.delete(webhookDelivery).where(and(eq(webhookDelivery.endpointId, endpointId), lt(webhookDelivery.createdAt, oldestKept.at)));
}

function firstLine(text: string): string {
  const line = text.split("\n").find((l) => l.trim()) ?? "";
  return line.length > 200 ? `${line.slice(0, 199)}…` : line.trim();
}
