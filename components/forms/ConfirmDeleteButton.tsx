"use client";

import { useFormAction, type FormAction } from "./useFormAction";
import { buttonClass } from "../ui/styles";

/**
 * A Delete button that asks first, posting `fields` as hidden inputs to its action; the
 * action's refusal (e.g. "still in use by …") is shown beside it.
 */
export function ConfirmDeleteButton({
  fields,
  confirm,
  label,
  action,
}: {
  fields: Record<string, string>;
  /** The question the browser asks before deleting. */
  confirm: string;
  /** Names what is deleted, for screen readers. */
  label: string;
  action: FormAction<null>;
}) {
  const { onSubmit, pending, error } = useFormAction(action);
  return (
    <form
      onSubmit={(e) => {
        if (!window.confirm(confirm)) e.preventDefault();
        else onSubmit(e);
      }}
      className="flex flex-col items-end gap-1"
    >
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <button type="submit" disabled={pending} className={buttonClass("danger", "sm")} aria-label={label}>
        {pending ? "Deleting…" : "Delete"}
      </button>
      {error && (
        <p role="alert" className="max-w-md text-right text-xs text-red-300">
          {error}
        </p>
      )}
    </form>
  );
}
