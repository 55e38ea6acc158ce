"use client";

import { useFormAction, type FormAction } from "../forms/useFormAction";
import { buttonClass } from "../ui/styles";

/**
 * Asks the job process that owns a workspace to delete it, after the browser's confirmation.
 * It answers within seconds: deleted, or refused with its reason (shown here).
 */
export function DeleteWorkspaceButton({ worker, id, label, action }: { worker: string; id: string; label: string; action: FormAction<null> }) {
  const { onSubmit, pending, error } = useFormAction(action);
  return (
    <form
      onSubmit={(e) => {
        if (!window.confirm(`Delete ${label} on ${worker}? Its files are removed from the job process's disk.`)) e.preventDefault();
        else onSubmit(e);
      }}
      className="flex flex-col items-end gap-1"
      data-delete-workspace={id}
    >
      <input type="hidden" name="worker" value={worker} />
      <input type="hidden" name="id" value={id} />
      <button type="submit" disabled={pending} className={buttonClass("danger", "sm")} aria-label={`Delete ${label}`}>
        {pending ? "Deleting…" : "Delete"}
      </button>
      {error && (
        <p role="alert" className="max-w-xs text-right text-xs text-red-300">
          {error}
        </p>
      )}
    </form>
  );
}
