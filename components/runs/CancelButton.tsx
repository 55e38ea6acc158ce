"use client";

import { useFormAction, type FormAction } from "../forms/useFormAction";
import { buttonClass } from "../ui/styles";

/** Asks the server to cancel the run; the feed shows when it has stopped. */
export function CancelButton({ runId, action }: { runId: string; action: FormAction<null> }) {
  const { onSubmit, pending, error, result } = useFormAction(action);
  const requested = result?.ok === true;
  return (
    <form onSubmit={onSubmit} className="flex flex-col items-end gap-1">
      <input type="hidden" name="id" value={runId} />
      <button type="submit" disabled={pending || requested} className={buttonClass("danger", "sm")}>
        {pending ? "Cancelling…" : requested ? "Cancel requested" : "Cancel run"}
      </button>
      {error && <p role="alert" className="max-w-xs text-right text-xs text-red-300">{error}</p>}
    </form>
  );
}
