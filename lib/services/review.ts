import crypto from "node:crypto";
import { desc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db, Tx } from "../db/client";
import { canReview, decisionStillInEffect, reviewDecisionStatus, statusWords, type RunStatus } from "../contracts/runLifecycle";
import { reviewActions, reviewDecision, run, runDiff } from "../db/schema";
import { AppError, fieldError, notFound } from "../errors";
import { appendEvent } from "../eventLog";
import type { SecretFinding } from "../events";
import { CLI_FEEDBACK_REFUSAL, takesFeedback } from "../reviewRules";
import { describeFindings } from "../secretFindings";
import { projectEvent } from "../projection";
import { reviewJobIds, reviewJobOptions, type JobPayload } from "../queue";
import type { App } from "../server/app";
import type { Principal } from "./principal";
import { assertMayActOnRun, assertSeesRun, mayActOnRun } from "./runVisibility";
import { mayAnswerBudget } from "./budgetAnswers";
import { actorOf, recordAudit } from "./audit";
import { environmentSpecOf } from "./environments";
import { decisionView, lastPushedCommit, listDecisions } from "./reviewHistory";
import { runJobPayloadFor, runJobSpecsFor } from "./runPayload";
import { refuseOutOfStackOrder } from "./runStackReview";
import { runWithRepository } from "./runWithRepository";
import { failedChecks, reviewedChecks, runChecksOf } from "./runChecks";

// Forms send "on"/"1"; the API sends booleans. Both mean the same.
const formBoolean = z.preprocess(
  (v) => (v === "on" || v === "1" || v === "true" ? true : v === "0" || v === "false" || v === "" ? false : v),
  z.boolean(),
);

export const reviewInput = z
  .object({
    action: z.enum(reviewActions, { message: `must be one of ${reviewActions.join(", ")}` }),
    feedback: z.string().trim().max(20_000).optional(),
    pullRequest: formBoolean.optional(),
    // Push a commit whose post-run checks failed anyway (409 `failed_checks` without it).
    acknowledgeFailedChecks: formBoolean.optional(),
  })
  .superRefine((v, ctx) => {
    if (v.action === "request_changes" && !v.feedback) {
      ctx.addIssue({ code: "custom", path: ["feedback"], message: "is required to request changes: say what to change" });
    }
    if (v.pullRequest && v.action !== "push") {
      ctx.addIssue({ code: "custom", path: ["pullRequest"], message: "applies to the push action only" });
    }
    if (v.acknowledgeFailedChecks && v.action !== "push") {
      ctx.addIssue({ code: "custom", path: ["acknowledgeFailedChecks"], message: "applies to the push action only" });
    }
  });
export type ReviewInput = z.infer<typeof reviewInput>;

/** The run for its review: any member of its team reads it (404 otherwise). */
async function reviewableRun(app: Pick<App, "db">, principal: Principal, runId: string) {
  if (!z.uuid().safeParse(runId).success) throw notFound("Run");
  const found = await runWithRepository(app, runId);
  // Another team's run is "not found", never "forbidden": its existence is not disclosed.
  if (!found) throw notFound("Run");
  assertSeesRun(principal, found.run);
  return found;
}

/** Whether this repository can have pull requests opened for it (on GitHub, with a credential). */
export const canOpenPullRequest = (repo: { githubRepo: string | null; credentialEnv: string | null }) =>
  Boolean(repo.githubRepo && repo.credentialEnv);

function checkInput(found: Awaited<ReturnType<typeof reviewableRun>>, input: ReviewInput) {
  if (input.action === "request_changes" && !takesFeedback(found.run.executor)) {
    throw fieldError("action", CLI_FEEDBACK_REFUSAL, "unprocessable");
  }
  if (input.pullRequest && !canOpenPullRequest(found.repo)) {
    throw fieldError(
      "pullRequest",
      found.repo.githubRepo
        ? `repository "${found.repo.name}" has no credential (credentialEnv) to open a pull request with`
        : `repository "${found.repo.name}" is not on GitHub`,
      "unprocessable",
    );
  }
}

type Found = Awaited<ReturnType<typeof reviewableRun>>;

function auditDecision(
  tx: Tx,
  principal: Principal,
  current: typeof run.$inferSelect,
  decision: typeof reviewDecision.$inferSelect,
  failedChecksPushed: string[],
) {
  const common = { teamId: current.teamId, actor: actorOf(principal), subject: { type: "run" as const, id: current.id, label: current.title } };
  if (decision.action === "push") {
    // A push over failed checks names them: who decided to ship what did not pass.
    const acknowledged = failedChecksPushed.length > 0 ? { failedChecks: failedChecksPushed } : {};
    return recordAudit(tx, { ...common, action: "review.push", details: { decisionId: decision.id, pullRequest: decision.pullRequest, ...acknowledged } });
  }
  if (decision.action === "request_changes") {
    return recordAudit(tx, { ...common, action: "review.request_changes", details: { decisionId: decision.id, feedback: decision.feedback } });
  }
  return recordAudit(tx, { ...common, action: "review.discard", details: { decisionId: decision.id } });
}

/**
 * Records the decision, announces it (`review.decided`, projected at once: the projection
 * moves the run's status, nothing here writes it) and queues its job, inside one transaction
 * holding the run row's lock: of two requests racing (a double click), the second sees the
 * first's status and gets its decision back (`repeated`) when it asked for the same thing, a
 * 409 otherwise. If anything fails, nothing is kept: the announced event finds no decision
 * when the recorder gets to it, and changes nothing.
 */
async function recordDecision(
  app: Pick<App, "db" | "eventLog" | "queue" | "reviewsQueue">,
  principal: Principal,
  found: Found,
  input: ReviewInput,
  progress: { announced: boolean },
) {
  const runId = found.run.id;
  return app.db.transaction(async (tx) => {
    const [current] = await tx.select().from(run).where(eq(run.id, runId)).for("update");
    if (!current) throw notFound("Run");
    const [last] = await tx
      .select()
      .from(reviewDecision)
      .where(eq(reviewDecision.runId, runId))
      .orderBy(desc(reviewDecision.number))
      .limit(1);
    if (!canReview(current.status)) {
      const repeat =
        last &&
        last.action === input.action &&
        last.headSha === current.headSha &&
        last.userId === principal.userId &&
        decisionStillInEffect(last.action, current.status);
      if (repeat) return { decision: last, repeated: true, status: current.status };
      throw new AppError(
        "conflict",
        `The run is ${statusWords(current.status)}; only a run awaiting review can be pushed, sent back or discarded`,
      );
    }
    if (!current.headSha) throw new AppError("conflict", "The run has no commit to review yet");
    await refuseOutOfStackOrder(tx, current, input.action);
    let failedChecksPushed: string[] = [];
    if (input.action === "push") {
      await refuseSecretsInDiff(tx, runId, current.headSha);
      failedChecksPushed = await refuseUnacknowledgedChecks(tx, runId, current.headSha, Boolean(input.acknowledgeFailedChecks));
    }
    const [decision] = await tx
      .insert(reviewDecision)
      .values({
        id: crypto.randomUUID(),
        runId,
        number: (last?.number ?? 0) + 1,
        userId: principal.userId,
        byEmail: principal.email,
        action: input.action,
        feedback: input.action === "request_changes" ? (input.feedback ?? null) : null,
        pullRequest: input.action === "push" && Boolean(input.pullRequest),
        headSha: current.headSha,
      })
      .returning();
    await auditDecision(tx, principal, current, decision!, failedChecksPushed);
    const job = await jobFor({ db: tx }, found, decision!);
    // The event goes before the job, so the feed shows the decision before anything its job does.
    const announced = await appendEvent(app.eventLog, runId, {
      type: "review.decided",
      decisionId: decision!.id,
      action: decision!.action,
      by: principal.email,
      ...(decision!.feedback ? { feedback: decision!.feedback } : {}),
      ...(decision!.action === "push" ? { pullRequest: decision!.pullRequest } : {}),
    });
    progress.announced = true;
    await projectEvent(tx, announced.id, announced.event);
    // A follow-up is a run; push and discard have their own queue, so they never wait behind runs.
    if (job.payload.kind === "run") await app.queue.add("run", job.payload, reviewJobOptions(job.jobId));
    else await app.reviewsQueue.add(job.payload.kind, job.payload, reviewJobOptions(job.jobId));
    return { decision: decision!, repeated: false, status: reviewDecisionStatus(decision!.action) as RunStatus };
  });
}

/**
 * Known secrets the job process found in the diff of the commit under review (push
 * protection). Findings of an earlier commit do not count: a new clean diff unblocks Push.
 */
export async function secretFindingsOf(db: Pick<Db, "select">, runId: string, headSha: string | null): Promise<SecretFinding[]> {
  if (!headSha) return [];
  const [diff] = await db
    .select({ headSha: runDiff.headSha, secretFindings: runDiff.secretFindings })
    .from(runDiff)
    .where(eq(runDiff.runId, runId))
    .limit(1);
  return diff && diff.headSha === headSha ? diff.secretFindings : [];
}

async function refuseSecretsInDiff(db: Pick<Db, "select">, runId: string, headSha: string) {
  const findings = await secretFindingsOf(db, runId, headSha);
  if (findings.length > 0) {
    throw new AppError(
      "secret_in_diff",
      `Push blocked: ${describeFindings(findings)}. Request changes to have it removed, or discard the run`,
    );
  }
}

/**
 * The post-run checks of the commit under review that did not pass: a push must acknowledge
 * them (`acknowledgeFailedChecks`), else 409 `failed_checks` naming them. Returns the names
 * acknowledged (for the audit).
 */
async function refuseUnacknowledgedChecks(db: Db | Tx, runId: string, headSha: string, acknowledged: boolean): Promise<string[]> {
  const failed = failedChecks(reviewedChecks(await runChecksOf(db, runId), headSha)).map((c) => c.name);
  if (failed.length > 0 && !acknowledged) {
    throw new AppError(
      "failed_checks",
      `The commit under review failed ${failed.length === 1 ? "its check" : "its checks"} ${failed.map((n) => `"${n}"`).join(", ")}; push anyway with acknowledgeFailedChecks: true, or request changes`,
    );
  }
  return failed;
}

/** The job that carries a decision out, with everything the job process needs. */
type DecisionRow = typeof reviewDecision.$inferSelect;

async function jobFor(
  app: Pick<App, "db">,
  found: Awaited<ReturnType<typeof reviewableRun>>,
  decision: DecisionRow,
): Promise<{ jobId: string; payload: JobPayload }> {
  const { run: row, repo } = found;
  const repoRef = { name: repo.name, url: repo.url, credentialEnv: repo.credentialEnv };
  switch (decision.action) {
    case "push":
      return {
        jobId: reviewJobIds.push(decision.id),
        payload: {
          kind: "push",
          runId: row.id,
          decisionId: decision.id,
          repo: { ...repoRef, githubRepo: repo.githubRepo },
          baseBranch: row.baseBranch,
          branch: row.branch,
          headSha: decision.headSha,
          expectedRemoteSha: await lastPushedCommit(app, row.id),
          pullRequest: decision.pullRequest ? { title: row.title, body: pullRequestBody(row) } : null,
          environment: await environmentSpecOf(app, row.repositoryId),
        },
      };
    case "discard":
      return {
        jobId: reviewJobIds.discard(decision.id),
        payload: { kind: "discard", runId: row.id, decisionId: decision.id, repo: repoRef, branch: row.branch },
      };
    case "request_changes":
      return {
        jobId: reviewJobIds.changes(row.id, decision.id),
        // The rules in force now apply to the follow-up, as they would to a new run.
        payload: runJobPayloadFor(row, repo, {
          ...(await runJobSpecsFor(app, row, row.repositoryId)),
          feedback: { decisionId: decision.id, text: decision.feedback ?? "" },
        }),
      };
  }
}

function pullRequestBody(row: { prompt: string; command: string | null; id: string }): string {
  const task = row.command ? `Command:\n\n\`\`\`sh\n${row.command}\n\`\`\`` : row.prompt;
  return `${task}\n\n---\nOpened by AgentDesk from run ${row.id}, after a person reviewed the diff.`;
}

/**
 * A review decision: push (optionally opening a pull request), request changes, or discard.
 * The one implementation behind POST /api/runs/:id/review and the review page's actions.
 */
export async function decideReview(app: App, principal: Principal, runId: string, input: ReviewInput) {
  const found = await reviewableRun(app, principal, runId);
  assertMayActOnRun(principal, found.run);
  checkInput(found, input);
  const progress = { announced: false };
  try {
    const { decision, repeated, status } = await recordDecision(app, principal, found, input, progress);
    return { decision: decisionView(decision), repeated, status };
  } catch (err) {
    if (progress.announced && found.run.headSha) {
      // The decision reached the feed but was not kept (its job could not be queued, say):
      // show that the review is still open. The run's status never moved.
      await appendEvent(app.eventLog, runId, { type: "run.awaiting_review", branch: found.run.branch, headSha: found.run.headSha }).catch(
        (e: unknown) => console.error(`[review] run ${runId}: could not restore the review in the feed:`, e),
      );
    }
    throw err;
  }
}

/** What the review UI needs besides the run and its diff: past decisions and which actions apply. */
export async function getReview(app: Pick<App, "db">, principal: Principal, runId: string) {
  const found = await reviewableRun(app, principal, runId);
  return {
    // Whether this person may decide (the run's owner, or a team admin): the page offers the buttons.
    canDecide: mayActOnRun(principal, found.run),
    // A budget request is the team's admins' and owners' to answer, not the run owner's.
    canAnswerBudget: mayAnswerBudget(principal, found.run.teamId),
    decisions: await listDecisions(app, runId),
    canPullRequest: canOpenPullRequest(found.repo),
    githubRepo: found.repo.githubRepo,
    takesFeedback: takesFeedback(found.run.executor),
    feedbackRefusal: takesFeedback(found.run.executor) ? null : CLI_FEEDBACK_REFUSAL,
    secretFindings: await secretFindingsOf(app.db, runId, found.run.headSha),
    // The post-run checks of the commit under review (lib/contracts/runChecks.ts).
    checks: reviewedChecks(await runChecksOf(app.db, runId), found.run.headSha),
  };
}
export type ReviewInfo = Awaited<ReturnType<typeof getReview>>;
