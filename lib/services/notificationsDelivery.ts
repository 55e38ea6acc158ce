import { UnrecoverableError } from "bullmq";
import { and, eq } from "drizzle-orm";
import { inputRequest, repository, run, team } from "../db/schema";
import type { RunNotificationJob } from "../notificationsQueue";
import type { App } from "../server/app";
import { readSettings } from "./notifications";
import { noteDeliveryAttempt } from "./notificationsLog";
import { runMessage, testMessage, type InputSummary, type RunSummary } from "./notificationsMessage";
import { postWebhook } from "./notificationsPost";

/** The BullMQ job as the delivery needs it (a chat message: a run's or a test). */
export type ChatJob = RunNotificationJob | { kind: "test"; userId: string };
export type DeliveryJob<T = ChatJob> = { id: string; data: T; attemptsMade: number; attempts: number };

export type DeliveryResult = { sent: true; status: number } | { sent: false; reason: string };

/**
 * Carries out one notification job (the web's notifications worker calls it): reads the
 * owner's settings and the run now, sends the message to the webhook, notes the attempt in the
 * owner's delivery log. Nothing is sent when the owner has no webhook, did not choose the
 * state, or the request was answered meanwhile. A failed attempt throws, so BullMQ tries again
 * with backoff when that may help (UnrecoverableError when it cannot).
 */
export async function deliverNotification(app: Pick<App, "db" | "config">, job: DeliveryJob): Promise<DeliveryResult> {
  const { data } = job;
  const settings = await readSettings(app, data.userId);
  if (!settings.webhookUrl) return { sent: false, reason: "no webhook" };
  let body: unknown;
  let about: { subject: string; runId: string | null; runTitle: string | null };
  if (data.kind === "test") {
    body = testMessage(app.config.appUrl);
    about = { subject: "test", runId: null, runTitle: null };
  } else {
    if (!settings.states.includes(data.state)) return { sent: false, reason: `${data.state} not chosen` };
    const facts = await runFacts(app, data);
    if ("reason" in facts) return { sent: false, reason: facts.reason };
    body = runMessage(app.config.appUrl, data.state, facts.run, facts.input);
    about = { subject: data.state, runId: facts.run.id, runTitle: facts.run.title };
  }

  const attempt = job.attemptsMade + 1;
  const outcome = await postWebhook(settings.webhookUrl, body, { allowPrivate: app.config.allowPrivateWebhooks, userAgent: "AgentDesk-Webhook" });
  const willRetry = !outcome.ok && outcome.retry && attempt < job.attempts;
  await noteDeliveryAttempt(app.db, {
    userId: data.userId,
    jobId: job.id,
    ...about,
    attempt,
    ok: outcome.ok,
    willRetry,
    httpStatus: outcome.status,
    error: outcome.ok ? null : outcome.error,
  });
  if (outcome.ok) return { sent: true, status: outcome.status };
  if (!outcome.retry) throw new UnrecoverableError(outcome.error);
  throw new Error(outcome.error);
}

/**
 * The run as its owner sees it, or why there is nothing to tell (gone, not theirs, answered).
 * The signed endpoints' fan-out (lib/services/webhookFanOut.ts) reads it the same way.
 */
export async function runFacts(
  app: Pick<App, "db">,
  data: Pick<RunNotificationJob, "userId" | "runId" | "state" | "requestId">,
): Promise<{ run: RunSummary; input?: InputSummary } | { reason: string }> {
  const [found] = await app.db
    .select({ run, repoName: repository.name, teamName: team.name })
    .from(run)
    .innerJoin(repository, eq(repository.id, run.repositoryId))
    .innerJoin(team, eq(team.id, run.teamId))
    .where(eq(run.id, data.runId));
  // Only a run's owner is told about it (admins see everyone's runs, but act on their own).
  if (!found || found.run.userId !== data.userId) return { reason: "run gone" };
  const summary: RunSummary = {
    id: found.run.id,
    title: found.run.title,
    repo: found.repoName,
    team: found.teamName,
    teamId: found.run.teamId,
    branch: found.run.branch,
    status: found.run.status,
    error: found.run.error,
  };
  if (data.state !== "input") return { run: summary };
  if (!data.requestId) return { reason: "no request" };
  const [request] = await app.db
    .select({ kind: inputRequest.kind, tool: inputRequest.tool, status: inputRequest.status })
    .from(inputRequest)
    .where(and(eq(inputRequest.runId, data.runId), eq(inputRequest.requestId, data.requestId)));
  // Answered (or timed out) before the message went: nobody needs to act any more.
  if (!request || request.status !== "pending") return { reason: "request no longer open" };
  return { run: summary, input: { kind: request.kind, tool: request.tool } };
}
