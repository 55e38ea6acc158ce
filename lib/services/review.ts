import crypto from "node:crypto";
import { and, desc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../db/client";
import { repository, reviewActions, reviewDecision, run, runDiff, type ReviewAction, type RunStatus } from "../db/schema";
import { AppError, fieldError, notFound } from "../errors";
import { appendEvent } from "../eventLog";
import type { SecretFinding } from "../events";
import { CLI_FEEDBACK_REFUSAL, takesFeedback } from "../reviewRules";
import { describeFindings } from "../secretFindings";
import { reviewJobIds, reviewJobOptions, type JobPayload } from "../queue";
import type { App } from "../server/app";
import { isAdmin, type Principal } from "./principal";
import { decisionView, lastPushedCommit, listDecisions } from "./reviewHistory";
import { effectiveRules } from "./approvalRules";
import { runJobPayloadFor } from "./runPayload";

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
  })
  .superRefine((v, ctx) => {
    if (v.action === "request_changes" && !v.feedback) {
      ctx.addIssue({ code: "custom", path: ["feedback"], message: "is required to request changes: say what to change" });
    }
    if (v.pullRequest && v.action !== "push") {
      ctx.addIssue({ code: "custom", path: ["pullRequest"], message: "applies to the push action only" });
    }
  });
export type ReviewInput = z.infer<typeof reviewInput>;

// The status each decision leaves the run in (the projection of review.decided agrees).
const statusAfter: Record<ReviewAction, RunStatus> = { push: "pushing", discard: "discarded", request_changes: "queued" };
// Statuses in which a decision is still the one in effect: asking for it again is a repeat.
const stillInEffect: Record<ReviewAction, ReadonlySet<RunStatus>> = {
  push: new Set(["pushing", "pushed"]),
  discard: new Set(["discarded"]),
  request_changes: new Set(["queued", "running", "waiting_input"]),
};

const words = (status: string) => status.replace(/_/g, " ");

async function reviewableRun(app: Pick<App, "db">, principal: Principal, runId: string) {
  if (!z.uuid().safeParse(runId).success) throw notFound("Run");
  const [found] = await app.db
    .select({ run, repo: repository })
    .from(run)
    .innerJoin(repository, eq(repository.id, run.repositoryId))
    .where(eq(run.id, runId))
    .limit(1);
  // Another user's run is "not found", never "forbidden": its existence is not disclosed.
  if (!found || (found.run.userId !== principal.userId && !isAdmin(principal))) throw notFound("Run");
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

/**
 * Records the decision and moves the run on, inside one transaction holding the run row's
 * lock: of two requests racing (a double click), the second sees the first's status and gets
 * its decision back (`repeated`) when it asked for the same thing, a 409 otherwise.
 */
async function recordDecision(app: Pick<App, "db">, principal: Principal, runId: string, input: ReviewInput) {
  return app.db.transaction(async (tx) => {
    const [current] = await tx.select().from(run).where(eq(run.id, runId)).for("update");
    if (!current) throw notFound("Run");
    const [last] = await tx
      .select()
      .from(reviewDecision)
      .where(eq(reviewDecision.runId, runId))
      .orderBy(desc(reviewDecision.number))
      .limit(1);
    if (current.status !== "awaiting_review") {
      const repeat =
        last &&
        last.action === input.action &&
        last.headSha === current.headSha &&
        last.userId === principal.userId &&
        stillInEffect[last.action].has(current.status);
      if (repeat) return { decision: last, repeated: true };
      throw new AppError(
        "conflict",
        `The run is ${words(current.status)}; only a run awaiting review can be pushed, sent back or discarded`,
      );
    }
    if (!current.headSha) throw new AppError("conflict", "The run has no commit to review yet");
    if (input.action === "push") await refuseSecretsInDiff(tx, runId, current.headSha);
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
    await tx
      .update(run)
      .set({ status: statusAfter[input.action], error: null, updatedAt: new Date() })
      .where(and(eq(run.id, runId), eq(run.status, "awaiting_review")));
    return { decision: decision!, repeated: false };
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
          approvalRules: await effectiveRules(app, row.userId, row.repositoryId),
          feedback: { decisionId: decision.id, text: decision.feedback ?? "" },
        }),
      };
  }
}

async function takeBack(app: Pick<App, "db">, runId: string, decisionId: string) {
  await app.db.transaction(async (tx) => {
    await tx.delete(reviewDecision).where(eq(reviewDecision.id, decisionId));
    await tx.update(run).set({ status: "awaiting_review", updatedAt: new Date() }).where(eq(run.id, runId));
  });
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
  checkInput(found, input);
  const { decision, repeated } = await recordDecision(app, principal, runId, input);
  if (repeated) return { decision: decisionView(decision), repeated };

  const job = await jobFor(app, found, decision);
  // The event goes first, so the feed shows the decision before anything its job does.
  try {
    await appendEvent(app.eventLog, runId, {
      type: "review.decided",
      decisionId: decision.id,
      action: decision.action,
      by: principal.email,
      ...(decision.feedback ? { feedback: decision.feedback } : {}),
      ...(decision.action === "push" ? { pullRequest: decision.pullRequest } : {}),
    });
  } catch (err) {
    await takeBack(app, runId, decision.id);
    throw err;
  }
  try {
    await app.queue.add(job.payload.kind, job.payload, reviewJobOptions(job.jobId));
  } catch (err) {
    // No decision without its job: take it back, and put the review back in the feed (the
    // recorder would otherwise project review.decided over the restored status).
    await takeBack(app, runId, decision.id);
    await appendEvent(app.eventLog, runId, { type: "run.awaiting_review", branch: found.run.branch, headSha: decision.headSha }).catch(
      (e: unknown) => console.error(`[review] run ${runId}: could not restore the review in the feed:`, e),
    );
    throw err;
  }
  return { decision: decisionView(decision), repeated };
}

/** What the review UI needs besides the run and its diff: past decisions and which actions apply. */
export async function getReview(app: Pick<App, "db">, principal: Principal, runId: string) {
  const found = await reviewableRun(app, principal, runId);
  return {
    decisions: await listDecisions(app, runId),
    canPullRequest: canOpenPullRequest(found.repo),
    githubRepo: found.repo.githubRepo,
    takesFeedback: takesFeedback(found.run.executor),
    feedbackRefusal: takesFeedback(found.run.executor) ? null : CLI_FEEDBACK_REFUSAL,
    secretFindings: await secretFindingsOf(app.db, runId, found.run.headSha),
  };
}
export type ReviewInfo = Awaited<ReturnType<typeof getReview>>;
