"use client";

import { cx } from "../ui/cx";
import { ApprovalForm } from "./ApprovalForm";
import { BudgetForm } from "./BudgetForm";
import { Outcome } from "./Outcome";
import { QuestionForm } from "./QuestionForm";
import { RequestDetails } from "./RequestDetails";
import type { InputOutcome, InputRequest } from "./types";
import { useAnswerAction } from "./useAnswerAction";
import { useCanAnswerBudget } from "../runs/RunAccess";

/**
 * One request with its answer form, or with its outcome once known (from the feed's
 * `input.resolved`, or from the answer just given until that event arrives).
 */
export function RequestPanel({ request, outcome, closed = false }: { request: InputRequest; outcome?: InputOutcome; closed?: boolean }) {
  const answering = useAnswerAction();
  const canAnswerBudget = useCanAnswerBudget();
  const shown = outcome ?? answering.answered ?? undefined;
  const cancelled = !shown && closed;
  return (
    <div
      data-input-request={request.requestId}
      data-input-state={shown ? "resolved" : cancelled ? "cancelled" : "pending"}
      className={cx(
        "space-y-3 rounded-lg border p-3",
        shown || cancelled ? "border-zinc-800 bg-zinc-900/60" : "border-amber-800/70 bg-amber-950/30",
      )}
    >
      <RequestDetails request={request} />
      {shown ? (
        <Outcome outcome={shown} kind={request.kind} />
      ) : cancelled ? (
        <p data-input-outcome="cancelled" className="text-sm text-zinc-400">
          Cancelled: the run no longer waits for an answer
        </p>
      ) : request.kind === "budget" ? (
        canAnswerBudget ? (
          <BudgetForm request={request} answering={answering} />
        ) : (
          <p data-testid="budget-waits-for-admin" className="text-sm text-zinc-400">
            Waiting for a team admin or owner to raise the limit or stop the run.
          </p>
        )
      ) : request.kind === "approval" ? (
        <ApprovalForm request={request} answering={answering} />
      ) : (
        <QuestionForm request={request} answering={answering} />
      )}
    </div>
  );
}
