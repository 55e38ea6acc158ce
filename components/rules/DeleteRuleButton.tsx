"use client";

import { useFormAction, type FormAction } from "../forms/useFormAction";
import { buttonClass } from "../ui/styles";

export function DeleteRuleButton({ id, pattern, repo, action }: { id: string; pattern: string; repo?: string; action: FormAction<null> }) {
  const { onSubmit, pending, error } = useFormAction(action);
  return (
    <form
      onSubmit={(e) => {
        if (!window.confirm(`Delete the rule “${pattern}”?`)) e.preventDefault();
        else onSubmit(e);
      }}
      className="flex flex-col items-end gap-1"
    >
      <input type="hidden" name="id" value={id} />
      {repo && <input type="hidden" name="repo" value={repo} />}
      <button type="submit" disabled={pending} className={buttonClass("danger", "sm")} aria-label={`Delete rule ${pattern}`}>
        {pending ? "Deleting…" : "Delete"}
      </button>
      {error && <p role="alert" className="text-xs text-red-300">{error}</p>}
    </form>
  );
}
