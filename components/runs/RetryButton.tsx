"use client";

import { useFormAction, type FormAction } from "../forms/useFormAction";
import { buttonClass } from "../ui/styles";

/**
 * Starts a new run with this run's settings; the action takes the browser to it. A refusal
 * (the executor is no longer offered, say) is shown beside the button.
 */
export function RetryButton({ runId, action }: { runId: string; action: FormAction<null> }) {
  const { onSubmit, pending, error } = useFormAction(action);
  return (
    <form onSubmit={onSubmit} className="flex flex-col items-end gap-1" data-testid="retry-form">
      <input type="hidden" name="id" value={runId} />
      <button type="submit" disabled={pending} className={buttonClass("primary", "sm")} title="Start a new run with the same repository, branch, executor, task and limits">
        {pending ? "Starting…" : "Retry"}
      </button>
      {error && (
        <p role="alert" className="max-w-xs text-right text-xs text-red-300">
          {error}
        </p>
      )}
    </form>
  );
}
