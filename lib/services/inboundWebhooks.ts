import crypto from "node:crypto";
import { and, desc, eq } from "drizzle-orm";
import { z } from "zod";
import { inboundOutcomes, inboundRules, type InboundOutcome, type InboundRules } from "../contracts/inboundWebhooks";
import { newWebhookSecret } from "../contracts/webhookSignature";
import type { Tx } from "../db/client";
import { inboundDelivery, inboundWebhook } from "../db/schema";
import { fieldError, notFound } from "../errors";
import type { App } from "../server/app";
import { actorOf, recordAudit } from "./audit";
import type { Principal } from "./principal";
import { repoFor } from "./repos";
import { getTemplate } from "./templates";

/**
 * A repository's incoming webhooks (its page, GET/POST /api/repos/:name/webhooks), managed by
 * the team's admins: a URL and secret that start runs from a run template of the repository
 * when a signed delivery matches the rules (lib/contracts/inboundWebhooks.ts). The runs are
 * the creating admin's. The secret is shown when made and when rotated, never listed.
 */

export const createInboundInput = z.strictObject({
  templateId: z.string().trim().min(1, "choose a run template").max(100),
  rules: inboundRules,
  enabled: z.boolean().default(true),
});
export const updateInboundInput = z
  .strictObject({ templateId: z.string().trim().min(1).max(100).optional(), rules: inboundRules.optional(), enabled: z.boolean().optional() })
  .refine((v) => Object.keys(v).length > 0, "give at least one of templateId, rules, enabled");

export type InboundDeliveryView = { id: string; deliveryId: string; event: string; outcome: InboundOutcome; detail: string | null; runId: string | null; receivedAt: string };

export type InboundWebhookView = {
  id: string;
  repo: string;
  url: string;
  templateId: string;
  templateName: string | null;
  rules: InboundRules | null;
  enabled: boolean;
  createdBy: string;
  createdAt: string;
};

type Row = typeof inboundWebhook.$inferSelect;

/** The URL a sender posts to. */
export const inboundUrl = (appUrl: string, id: string) => `${appUrl}/api/webhooks/in/${id}`;

const storedOutcome = z.enum(inboundOutcomes).catch("failed");

async function view(app: Pick<App, "db" | "config">, principal: Principal, row: Row, repo: string): Promise<InboundWebhookView> {
  const rules = inboundRules.safeParse(row.rules);
  let templateName: string | null = null;
  try {
    templateName = (await getTemplate(app, principal, row.templateId)).name;
  } catch {
    // Deleted since: the page says so, deliveries are refused with the reason.
  }
  return {
    id: row.id,
    repo,
    url: inboundUrl(app.config.appUrl, row.id),
    templateId: row.templateId,
    templateName,
    rules: rules.success ? rules.data : null,
    enabled: row.enabled,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
  };
}

/** The template must be the team's, for this repository. */
async function assertTemplateFits(app: Pick<App, "db">, principal: Principal, templateId: string, repo: string) {
  let template;
  try {
    template = await getTemplate(app, principal, templateId);
  } catch {
    throw fieldError("templateId", "no such run template in this team");
  }
  if (template.repo !== repo) throw fieldError("templateId", `the template "${template.name}" runs on ${template.repo ?? "a removed repository"}, not ${repo}`);
}

async function webhookOf(app: Pick<App, "db">, principal: Principal, repoName: string, id: string) {
  const repo = await repoFor(app, principal, repoName, "manage");
  const [row] = await app.db.select().from(inboundWebhook).where(and(eq(inboundWebhook.id, id), eq(inboundWebhook.repositoryId, repo.id)));
  if (!row) throw notFound("Webhook");
  return { repo, row };
}

export async function listInboundWebhooks(app: Pick<App, "db" | "config">, principal: Principal, repoName: string): Promise<InboundWebhookView[]> {
  const repo = await repoFor(app, principal, repoName, "manage");
  const rows = await app.db.select().from(inboundWebhook).where(eq(inboundWebhook.repositoryId, repo.id)).orderBy(desc(inboundWebhook.createdAt));
  return Promise.all(rows.map((r) => view(app, principal, r, repo.name)));
}

export async function createInboundWebhook(
  app: Pick<App, "db" | "config" | "secretBox">,
  principal: Principal,
  repoName: string,
  input: z.infer<typeof createInboundInput>,
): Promise<InboundWebhookView & { secret: string }> {
  const repo = await repoFor(app, principal, repoName, "manage");
  await assertTemplateFits(app, principal, input.templateId, repo.name);
  const secret = newWebhookSecret();
  const row = await app.db.transaction(async (tx) => {
    const [made] = await tx
      .insert(inboundWebhook)
      .values({ id: crypto.randomUUID(), repositoryId: repo.id, teamId: repo.teamId, secret: app.secretBox.seal(secret), templateId: input.templateId, rules: input.rules, enabled: input.enabled, createdBy: principal.userId })
      .returning();
    await audit(tx, principal, made!, repo.name, "webhook.create", { direction: "in", owner: "team", target: repo.name });
    return made!;
  });
  return { ...(await view(app, principal, row, repo.name)), secret };
}

export async function updateInboundWebhook(
  app: Pick<App, "db" | "config">,
  principal: Principal,
  repoName: string,
  id: string,
  input: z.infer<typeof updateInboundInput>,
): Promise<InboundWebhookView> {
  const { repo, row } = await webhookOf(app, principal, repoName, id);
  if (input.templateId !== undefined) await assertTemplateFits(app, principal, input.templateId, repo.name);
  const updated = await app.db.transaction(async (tx) => {
    const [next] = await tx.update(inboundWebhook).set({ ...input, updatedAt: new Date() }).where(eq(inboundWebhook.id, row.id)).returning();
    await audit(tx, principal, next!, repo.name, "webhook.update", { direction: "in", changed: Object.keys(input) });
    return next!;
  });
  return view(app, principal, updated, repo.name);
}

export async function rotateInboundSecret(app: Pick<App, "db" | "secretBox">, principal: Principal, repoName: string, id: string): Promise<{ secret: string }> {
  const { repo, row } = await webhookOf(app, principal, repoName, id);
  const secret = newWebhookSecret();
  await app.db.transaction(async (tx) => {
    await tx.update(inboundWebhook).set({ secret: app.secretBox.seal(secret), updatedAt: new Date() }).where(eq(inboundWebhook.id, row.id));
    await audit(tx, principal, row, repo.name, "webhook.rotate", { direction: "in" });
  });
  return { secret };
}

export async function deleteInboundWebhook(app: Pick<App, "db">, principal: Principal, repoName: string, id: string): Promise<void> {
  const { repo, row } = await webhookOf(app, principal, repoName, id);
  await app.db.transaction(async (tx) => {
    await tx.delete(inboundWebhook).where(eq(inboundWebhook.id, row.id));
    await audit(tx, principal, row, repo.name, "webhook.delete", { direction: "in", target: repo.name });
  });
}

/** The webhook's latest deliveries, newest first. */
export async function listInboundDeliveries(app: Pick<App, "db">, principal: Principal, repoName: string, id: string, limit = 50): Promise<InboundDeliveryView[]> {
  const { row } = await webhookOf(app, principal, repoName, id);
  const rows = await app.db.select().from(inboundDelivery).where(eq(inboundDelivery.webhookId, row.id)).orderBy(desc(inboundDelivery.receivedAt)).limit(limit);
  return rows.map((d) => ({
    id: d.id,
    deliveryId: d.deliveryId,
    event: d.event,
    outcome: storedOutcome.parse(d.outcome),
    detail: d.detail,
    runId: d.runId,
    receivedAt: d.receivedAt.toISOString(),
  }));
}

function audit<A extends "webhook.create" | "webhook.update" | "webhook.rotate" | "webhook.delete">(
  tx: Tx,
  principal: Principal,
  row: Row,
  repo: string,
  action: A,
  details: Parameters<typeof recordAudit<A>>[1]["details"],
) {
  return recordAudit(tx, {
    teamId: row.teamId,
    actor: actorOf(principal),
    action,
    subject: { type: "webhook", id: row.id, label: `incoming webhook of ${repo}` },
    details,
  });
}
