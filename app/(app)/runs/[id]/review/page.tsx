import type { Metadata } from "next";
import Link from "next/link";
import { cache } from "react";
import { DiffSummary } from "@/components/diff/DiffPanel";
import { DiffViewer } from "@/components/diff/DiffViewer";
import { ReviewChecks } from "@/components/review/ReviewChecks";
import { ReviewPageActions } from "@/components/review/ReviewPageActions";
import { StatusBadge } from "@/components/runs/StatusBadge";
import { linkClass } from "@/components/ui/styles";
import { canReview } from "@/lib/contracts/runLifecycle";
import { hasRunReport } from "@/lib/runReport";
import { orNotFound, requirePrincipal } from "@/lib/server/pageAuth";
import { getReview } from "@/lib/services/review";
import { getRun, getRunDiff } from "@/lib/services/runs";
import { reviewRunAction } from "../actions";

const loadReview = cache(async (id: string) => {
  const { app, principal } = await requirePrincipal();
  const run = await orNotFound(getRun(app, principal, id));
  const [review, diff] = await Promise.all([
    getReview(app, principal, id),
    // A run still working has no diff yet: the page says so rather than failing.
    run.headSha ? getRunDiff(app, principal, id) : Promise.resolve(null),
  ]);
  return { run, review, diff };
});

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  const { run } = await loadReview((await params).id);
  return { title: `Review: ${run.title}` };
}

/** The full-width review: every changed file, then the decision. */
export default async function ReviewPage({ params }: { params: Promise<{ id: string }> }) {
  const { run, review, diff } = await loadReview((await params).id);
  return (
    <div className="space-y-6">
      <Link href={`/runs/${run.id}`} className="inline-block text-sm text-zinc-400 hover:text-zinc-200">
        ← Back to the run
      </Link>
      <header className="space-y-2">
        <div className="flex flex-wrap items-center gap-3">
          <span data-testid="run-status">
            <StatusBadge status={run.status} />
          </span>
          <span className="font-mono text-sm text-zinc-400">
            {run.baseBranch} → <span className="text-zinc-100">{run.branch}</span>
          </span>
        </div>
        <h1 className="text-xl font-semibold tracking-tight break-words text-zinc-50 sm:text-2xl">Review: {run.title}</h1>
        {diff && (
          <p className="text-sm text-zinc-400">
            <DiffSummary diff={diff} />
          </p>
        )}
        <p className="flex flex-wrap gap-x-4 gap-y-1 text-sm font-medium">
          {diff && (
            <a href={`/api/runs/${run.id}/diff?format=patch`} className={linkClass} download={`${run.id}.patch`}>
              Download .patch
            </a>
          )}
          {hasRunReport(run.status) && (
            <a href={`/api/runs/${run.id}/report`} className={linkClass} download data-testid="review-download-report">
              Download report
            </a>
          )}
        </p>
      </header>
      {canReview(run.status) && !review.canDecide && (
        <p data-testid="read-only-note" className="rounded-lg border border-zinc-800 bg-zinc-900/60 px-3 py-2 text-sm text-zinc-400">
          This run waits for the review of its owner or a team admin. You can read the changes.
        </p>
      )}
      {canReview(run.status) && review.canDecide && (
        <ReviewPageActions runId={run.id} error={run.error} options={review} decide={reviewRunAction} />
      )}
      <ReviewChecks checks={review.checks} />
      {diff ? <DiffViewer diff={diff} /> : <p className="text-sm text-zinc-400">The run has no changes to review yet.</p>}
    </div>
  );
}
