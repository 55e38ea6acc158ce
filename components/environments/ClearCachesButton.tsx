"use client";

import { useFormAction, type FormAction } from "../forms/useFormAction";
import { buttonClass } from "../ui/styles";

/**
 * Asks every job process to remove environment caches (of one repository, or all), after the
 * browser's confirmation. They do it at their next look, within seconds; the list says so.
 */
export function ClearCachesButton({ repo, action }: { repo?: string; action: FormAction<null> }) {
  const { onSubmit, pending, error, result } = useFormAction(action);
  const what = repo ? `the cached environments of ${repo}` : "every cached environment";
  return (
    <form
      onSubmit={(e) => {
        if (!window.confirm(`Clear ${what} on every job process? The next run of each repository sets up from scratch.`)) e.preventDefault();
        else onSubmit(e);
      }}
      className="flex flex-col items-end gap-1"
      data-clear-caches={repo ?? "*"}
    >
      {repo && <input type="hidden" name="repo" value={repo} />}
      <button type="submit" disabled={pending} className={buttonClass("danger", "sm")} aria-label={repo ? `Clear the cached environments of ${repo}` : "Clear every cached environment"}>
        {pending ? "Clearing…" : repo ? "Clear" : "Clear all"}
      </button>
      {result?.ok && (
        <p role="status" className="text-xs text-emerald-300">
          Requested
        </p>
      )}
      {error && (
        <p role="alert" className="max-w-xs text-right text-xs text-red-300">
          {error}
        </p>
      )}
    </form>
  );
}
