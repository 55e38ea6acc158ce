import crypto from "node:crypto";
import { and, desc, eq } from "drizzle-orm";
import { z } from "zod";
import { defaultNotificationStates, notificationStates, type NotificationState } from "../contracts/notifications";
import { newWebhookSecret } from "../contracts/webhookSignature";
import { webhookAttempt, type WebhookAttempt, type WebhookDeliveryStatus } from "../contracts/webhooks";
import type { Tx } from "../db/client";
import { webhookDelivery, webhookEndpoint } from "../db/schema";
import { AppError, fieldError, notFound } from "../errors";
import type { App } from "../server/app";
import { actorOf, recordAudit } from "./audit";
import { webhookUrlProblem, webhookUrlSyntax } from "./notificationsUrl";
import type { Principal } from "./principal";
import { activeTeamAllows, assertActiveTeamAllows, assertTeamAllows } from "./teams";
import { queueWebhookDelivery } from "./webhookDeliveries";

/**
 * Outgoing webhook endpoints (GET/POST /api/webhooks/endpoints and the Settings → Webhooks
 * page): signed JSON deliveries of run events to a URL. A person's own endpoint hears of their
 * runs; a team's (made and managed by the team's admins) of every run of the team. The secret
 * is shown when the endpoint is made and when it is rotated, never listed.
 */

const states = z
  .array(z.enum(notificationStates))
  .min(1, "choose at least one event")
  .max(notificationStates.length)
  .transform((s) => [...new Set(s)]);

export const createEndpointInput = z.strictObject({
  url: webhookUrlSyntax,
  description: z.string().trim().max(200).default(""),
  states: states.default([...defaultNotificationStates]),
  // "team": the active team's endpoint (a team admin's); "user": the caller's own.
  owner: z.enum(["user", "team"]).default("user"),
});
export const updateEndpointInput = z
  .strictObject({
    url: webhookUrlSyntax.optional(),
    description: z.string().trim().max(200).optional(),
    states: states.optional(),
    enabled: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, "give at least one of url, description, states, enabled");

export type EndpointView = {
  id: string;
  owner: "user" | "team";
  teamId: string | null;
  url: string;
  description: string;
  states: NotificationState[];
  enabled: boolean;
  createdAt: string;
};

export type DeliveryLogEntry = {
  id: string;
  eventId: string;
  eventType: string;
  runId: string | null;
  status: WebhookDeliveryStatus;
  attempts: number;
  attemptLog: WebhookAttempt[];
  httpStatus: number | null;
  error: string | null;
  nextRetryAt: string | null;
  resendOf: string | null;
  createdAt: string;
};

type Row = typeof webhookEndpoint.$inferSelect;
const storedStates = z.array(z.enum(notificationStates)).catch([]);
const storedAttempts = z.array(webhookAttempt).catch([]);
const storedStatus = z.enum(["pending", "delivered", "failed"]).catch("failed");

const view = (row: Row): EndpointView => ({
  id: row.id,
  owner: row.teamId ? "team" : "user",
  teamId: row.teamId,
  url: row.url,
  description: row.description,
  states: storedStates.parse(row.states),
  enabled: row.enabled,
  createdAt: row.createdAt.toISOString(),
});

/** The caller's own endpoints, and their active team's when they manage it. */
export async function listEndpoints(app: Pick<App, "db">, principal: Principal): Promise<EndpointView[]> {
  const own = await app.db.select().from(webhookEndpoint).where(eq(webhookEndpoint.userId, principal.userId)).orderBy(desc(webhookEndpoint.createdAt));
  const teams =
    principal.team && activeTeamAllows(principal, "manage")
      ? await app.db.select().from(webhookEndpoint).where(eq(webhookEndpoint.teamId, principal.team.id)).orderBy(desc(webhookEndpoint.createdAt))
      : [];
  return [...teams, ...own].map(view);
}

/**
 * The endpoint if the caller may manage it: their own, or their active team's as its admin.
 * Anything else is a 404 (another person's endpoint does not exist for them).
 */
async function manageable(app: Pick<App, "db">, principal: Principal, id: string): Promise<Row> {
  const [row] = await app.db.select().from(webhookEndpoint).where(eq(webhookEndpoint.id, id));
  if (!row) throw notFound("Webhook");
  if (row.userId !== null) {
    if (row.userId !== principal.userId) throw notFound("Webhook");
  } else assertTeamAllows(principal, row.teamId ?? "", "manage", "Webhook");
  return row;
}

async function assertReachable(app: Pick<App, "config">, url: string) {
  const problem = await webhookUrlProblem(url, { allowPrivate: app.config.allowPrivateWebhooks });
  if (problem) throw fieldError("url", problem);
}

/** Makes an endpoint; its secret is in the answer, this once. */
export async function createEndpoint(
  app: Pick<App, "db" | "config" | "secretBox">,
  principal: Principal,
  input: z.infer<typeof createEndpointInput>,
): Promise<EndpointView & { secret: string }> {
  const teamId = input.owner === "team" ? assertActiveTeamAllows(principal, "manage", "Team").id : null;
  await assertReachable(app, input.url);
  const secret = newWebhookSecret();
  const row = await app.db.transaction(async (tx) => {
    const [made] = await tx
      .insert(webhookEndpoint)
      .values({
        id: crypto.randomUUID(),
        userId: teamId ? null : principal.userId,
        teamId,
        url: input.url,
        description: input.description,
        secret: app.secretBox.seal(secret),
        states: input.states,
        createdBy: principal.userId,
      })
      .returning();
    await audit(tx, principal, made!, "webhook.create", { direction: "out", owner: input.owner, target: hostOf(input.url) });
    return made!;
  });
  return { ...view(row), secret };
}

export async function updateEndpoint(
  app: Pick<App, "db" | "config">,
  principal: Principal,
  id: string,
  input: z.infer<typeof updateEndpointInput>,
): Promise<EndpointView> {
  const row = await manageable(app, principal, id);
  if (input.url !== undefined) await assertReachable(app, input.url);
  const changed = Object.keys(input);
  const updated = await app.db.transaction(async (tx) => {
    const [next] = await tx
      .update(webhookEndpoint)
      .set({ ...input, updatedAt: new Date() })
      .where(eq(webhookEndpoint.id, row.id))
      .returning();
    await audit(tx, principal, next!, "webhook.update", { direction: "out", changed });
    return next!;
  });
  return view(updated);
}

/** A new secret, in the answer this once; deliveries sent from now on are signed with it. */
export async function rotateEndpointSecret(app: Pick<App, "db" | "secretBox">, principal: Principal, id: string): Promise<{ secret: string }> {
  const row = await manageable(app, principal, id);
  const secret = newWebhookSecret();
  await app.db.transaction(async (tx) => {
    await tx.update(webhookEndpoint).set({ secret: app.secretBox.seal(secret), updatedAt: new Date() }).where(eq(webhookEndpoint.id, row.id));
    await audit(tx, principal, row, "webhook.rotate", { direction: "out" });
  });
  return { secret };
}

export async function deleteEndpoint(app: Pick<App, "db">, principal: Principal, id: string): Promise<void> {
  const row = await manageable(app, principal, id);
  await app.db.transaction(async (tx) => {
    await tx.delete(webhookEndpoint).where(eq(webhookEndpoint.id, row.id));
    await audit(tx, principal, row, "webhook.delete", { direction: "out", target: hostOf(row.url) });
  });
}

/** The endpoint's deliveries, newest first (the log keeps the latest ENDPOINT_LOG_SIZE). */
export async function listEndpointDeliveries(app: Pick<App, "db">, principal: Principal, id: string, limit = 50): Promise<DeliveryLogEntry[]> {
  const row = await manageable(app, principal, id);
  const rows = await app.db
    .select()
    .from(webhookDelivery)
    .where(eq(webhookDelivery.endpointId, row.id))
    .orderBy(desc(webhookDelivery.createdAt), desc(webhookDelivery.id))
    .limit(limit);
  return rows.map(logEntry);
}

const logEntry = (d: typeof webhookDelivery.$inferSelect): DeliveryLogEntry => ({
  id: d.id,
  eventId: d.eventId,
  eventType: d.eventType,
  runId: d.runId,
  status: storedStatus.parse(d.status),
  attempts: d.attempts,
  attemptLog: storedAttempts.parse(d.attemptLog),
  httpStatus: d.httpStatus,
  error: d.error,
  nextRetryAt: d.nextRetryAt?.toISOString() ?? null,
  resendOf: d.resendOf,
  createdAt: d.createdAt.toISOString(),
});

/**
 * Sends a delivery again: a new delivery (new id, its own attempts) of the same event (same
 * event id, same body), so a receiver that de-duplicates by event id sees it is the same.
 */
export async function resendDelivery(
  app: Pick<App, "db" | "redis" | "config">,
  principal: Principal,
  endpointId: string,
  deliveryId: string,
): Promise<DeliveryLogEntry> {
  const row = await manageable(app, principal, endpointId);
  if (!row.enabled) throw new AppError("conflict", "The webhook is turned off; turn it on to resend");
  const [original] = await app.db
    .select()
    .from(webhookDelivery)
    .where(and(eq(webhookDelivery.id, deliveryId), eq(webhookDelivery.endpointId, row.id)));
  if (!original) throw notFound("Delivery");
  const made = await app.db.transaction(async (tx) => {
    const [copy] = await tx
      .insert(webhookDelivery)
      .values({
        id: crypto.randomUUID(),
        endpointId: row.id,
        eventId: original.eventId,
        eventType: original.eventType,
        runId: original.runId,
        payload: original.payload,
        resendOf: original.id,
      })
      .returning();
    await audit(tx, principal, row, "webhook.resend", { deliveryId: original.id, eventId: original.eventId, eventType: original.eventType });
    return copy!;
  });
  await queueWebhookDelivery(app, made.id);
  return logEntry(made);
}

/** A "ping" event to the endpoint (its setup can be checked before a run gives it one). */
export async function pingEndpoint(app: Pick<App, "db" | "redis" | "config">, principal: Principal, id: string): Promise<DeliveryLogEntry> {
  const row = await manageable(app, principal, id);
  if (!row.enabled) throw new AppError("conflict", "The webhook is turned off; turn it on to send a ping");
  const eventId = `evt_${crypto.randomBytes(16).toString("hex")}`;
  const [made] = await app.db
    .insert(webhookDelivery)
    .values({
      id: crypto.randomUUID(),
      endpointId: row.id,
      eventId,
      eventType: "ping",
      payload: { id: eventId, type: "ping", createdAt: new Date().toISOString() },
    })
    .returning();
  await queueWebhookDelivery(app, made!.id);
  return logEntry(made!);
}

function audit<A extends "webhook.create" | "webhook.update" | "webhook.rotate" | "webhook.delete" | "webhook.resend">(
  tx: Tx,
  principal: Principal,
  row: Row,
  action: A,
  details: Parameters<typeof recordAudit<A>>[1]["details"],
) {
  return recordAudit(tx, {
    // A team's endpoint in its team's log; a person's own in the team they were working in.
    teamId: row.teamId ?? principal.team?.id ?? null,
    actor: actorOf(principal),
    action,
    subject: { type: "webhook", id: row.id, label: row.description || hostOf(row.url) },
    details,
  });
}

// The audit log names an endpoint by its host: a webhook URL's path often is its secret.
const hostOf = (url: string) => URL.parse(url)?.host ?? "";
