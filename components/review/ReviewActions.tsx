"use client";

import { useState } from "react";
import type { RunCheck } from "@/lib/contracts/runChecks";
import type { SecretFinding } from "@/lib/events";
import type { DecisionView } from "@/lib/services/reviewHistory";
import { inputClass, touchTargetClass } from "../ui/styles";
import { cx } from "../ui/cx";
import { DecisionForm, type ReviewFormAction } from "./DecisionForm";
import { checkNames } from "./ReviewChecks";
import { SecretFindings } from "./SecretFindings";

export type ReviewOptions = {
  /** Whether this person may decide: the run's owner or a team admin. */
  canDecide: boolean;
  /** Whether this person may answer a budget request (a team admin or owner): the run page's card. */
  canAnswerBudget: boolean;
  canPullRequest: boolean;
  githubRepo: string | null;
  feedbackRefusal: string | null;
  /** Known secrets in the diff under review: Push is disabled while there are any. */
  secretFindings: SecretFinding[];
  /** The post-run checks of the commit under review: Push asks before going over a failed one. */
  checks?: RunCheck[];
};

const SECRET_BLOCK_REASON = "Push is blocked: the diff contains the value of a known secret (see above)";

/**
 * The decisions on a run awaiting review: push (and open a pull request when the repository
 * is on GitHub with a credential), request changes with feedback, or discard. After a failed
 * push the run is back here with the reason, and Push reads "Retry push". A diff holding a
 * known secret cannot be pushed: the findings show above, and Push is disabled.
 */
export function ReviewActions({
  runId,
  error,
  options,
  decide,
  onDecided,
}: {
  runId: string;
  error: string | null;
  options: ReviewOptions;
  decide: ReviewFormAction;
  onDecided: (d: DecisionView) => void;
}) {
  const [confirmDiscard, setConfirmDiscard] = useState(false);
  const [confirmPush, setConfirmPush] = useState(false);
  const common = { runId, decide, onDecided };
  const blocked = options.secretFindings.length > 0;
  const pushBlock = { disabled: blocked, disabledReason: blocked ? SECRET_BLOCK_REASON : undefined };
  const failedChecks = (options.checks ?? []).filter((c) => c.status !== "passed");
  // Over failed checks, Push asks first, and the push it sends acknowledges them (the API's 409 otherwise).
  const asksFirst = failedChecks.length > 0 && !confirmPush;
  const overFailed = failedChecks.length > 0 ? { acknowledgeFailedChecks: true } : {};
  return (
    <section data-testid="review-actions" className="space-y-4 rounded-xl border border-violet-800/60 bg-violet-950/20 p-4 sm:p-5">
      <div>
        <h2 className="text-sm font-semibold text-zinc-100">Your review</h2>
        <p className="mt-0.5 text-sm text-zinc-400">Nothing has left this machine. Read the changes, then decide.</p>
      </div>
      {error && (
        <p role="alert" data-testid="push-error" className="rounded-lg border border-red-900/70 bg-red-950/40 px-3 py-2 text-sm text-red-200">
          {error}
        </p>
      )}
      {blocked && <SecretFindings findings={options.secretFindings} canRequestChanges={!options.feedbackRefusal} />}
      {failedChecks.length > 0 && (
        <p role="alert" data-testid="failed-checks-flag" className="rounded-lg border border-red-800 bg-red-950/50 px-3 py-2 text-sm text-red-200">
          <span className="font-semibold">{failedChecks.length === 1 ? "A check failed" : `${failedChecks.length} checks failed`} on these changes:</span>{" "}
          {checkNames(failedChecks)}. {confirmPush ? "Push anyway?" : "Read its output before you push."}
        </p>
      )}
      <div className="flex flex-wrap items-start gap-3">
        {asksFirst ? (
          <button
            type="button"
            disabled={blocked}
            onClick={() => setConfirmPush(true)}
            data-testid="push-over-failed-checks"
            className={cx("rounded-lg border border-red-800 px-3.5 py-2 text-sm font-medium text-red-200 hover:bg-red-950/40 disabled:opacity-50", touchTargetClass)}
          >
            Push anyway…
          </button>
        ) : (
          <>
            <DecisionForm
              {...common}
              {...pushBlock}
              {...overFailed}
              action="push"
              variant={failedChecks.length > 0 ? "danger" : "primary"}
              label={failedChecks.length > 0 ? "Yes, push anyway" : error ? "Retry push" : "Push branch"}
              pendingLabel="Pushing…"
            />
            {options.canPullRequest && (
              <DecisionForm {...common} {...pushBlock} {...overFailed} action="push" pullRequest label="Push and open a pull request" pendingLabel="Pushing…" />
            )}
            {failedChecks.length > 0 && (
              <button type="button" onClick={() => setConfirmPush(false)} className={cx("px-2 py-2 text-sm text-zinc-400 hover:text-zinc-200", touchTargetClass)}>
                Not yet
              </button>
            )}
          </>
        )}
        {confirmDiscard ? (
          <div className="flex items-start gap-2">
            <DecisionForm {...common} action="discard" variant="danger" label="Yes, discard" pendingLabel="Discarding…" />
            <button type="button" onClick={() => setConfirmDiscard(false)} className={cx("px-2 py-2 text-sm text-zinc-400 hover:text-zinc-200", touchTargetClass)}>
              Keep
            </button>
          </div>
        ) : (
          <button type="button" onClick={() => setConfirmDiscard(true)} className={cx("rounded-lg px-3.5 py-2 text-sm font-medium text-red-300 hover:bg-red-950/40", touchTargetClass)}>
            Discard…
          </button>
        )}
      </div>
      {options.feedbackRefusal ? (
        <p className="text-xs text-zinc-500" data-testid="feedback-refusal">
          Request changes is not offered: {options.feedbackRefusal}.
        </p>
      ) : (
        <DecisionForm {...common} action="request_changes" label="Request changes" pendingLabel="Sending…">
          <label htmlFor={`feedback-${runId}`} className="block text-sm font-medium text-zinc-200">
            Or tell the agent what to change
          </label>
          <textarea id={`feedback-${runId}`} name="feedback" rows={3} className={inputClass()} placeholder="e.g. also add a test for the empty case" />
        </DecisionForm>
      )}
    </section>
  );
}
