"use client";

import { budgetRequestInput } from "@/lib/contracts/budgets";
import { buttonClass } from "../ui/styles";
import type { InputRequest } from "./types";
import type { useAnswerAction } from "./useAnswerAction";
import { UsdInput } from "../forms/UsdInput";

/** A raise that leaves room for about ten more turns like the last one, in whole dollars. */
function suggestedLimit(spendUsd: number, turnCostUsd: number): number {
  return Math.ceil(spendUsd + Math.max(turnCostUsd, 0.01) * 10);
}

/**
 * A budget request's answer (team admins and owners): raise the crossed limit to an amount and
 * let the run continue, or stop the run.
 */
export function BudgetForm({ request, answering }: { request: InputRequest; answering: ReturnType<typeof useAnswerAction> }) {
  const { send, pending, error, fieldErrors } = answering;
  const asked = budgetRequestInput.safeParse(request.input);
  const id = `limit-${request.runId}-${request.requestId}`;
  const scope = asked.success ? (asked.data.scope === "team" ? "team" : "member's") : "";
  return (
    <form onSubmit={(e) => send(e)} className="space-y-3" aria-label="Answer the budget request">
      <input type="hidden" name="runId" value={request.runId} />
      <input type="hidden" name="requestId" value={request.requestId} />
      <div className="space-y-1.5">
        <label htmlFor={id} className="block text-xs font-medium text-zinc-300">
          New monthly {scope} limit (USD)
        </label>
        <UsdInput id={id} defaultValue={asked.success ? suggestedLimit(asked.data.spendUsd, asked.data.turnCostUsd) : undefined} invalid={Boolean(fieldErrors.limitUsd)} />
        {fieldErrors.limitUsd && <p role="alert" className="text-xs text-red-400">Limit {fieldErrors.limitUsd}</p>}
      </div>
      <div className="flex flex-wrap gap-2">
        <button type="submit" name="decision" value="approve" disabled={pending} className={buttonClass("primary")}>
          Raise the {scope} limit and continue
        </button>
        <button type="submit" name="decision" value="deny" disabled={pending} className={buttonClass("danger")}>
          Stop the run
        </button>
      </div>
      <p className="text-xs text-zinc-400">Only the team&apos;s admins and owners can answer this.</p>
      {pending && <p className="text-xs text-zinc-400">Sending…</p>}
      {error && (
        <p role="alert" data-form-error className="text-sm text-red-300">
          {error}
        </p>
      )}
    </form>
  );
}
