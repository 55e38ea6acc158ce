"use client";

import { useFormAction, type FormAction } from "../forms/useFormAction";
import { buttonClass } from "../ui/styles";

export function RevokeButton({
  id,
  name,
  action,
  confirmText = `Revoke “${name}”? Scripts using it stop working at once.`,
}: {
  id: string;
  name: string;
  action: FormAction<null>;
  confirmText?: string;
}) {
  const { onSubmit, pending, error } = useFormAction(action);
  return (
    <form
      onSubmit={(e) => {
        if (!window.confirm(confirmText)) e.preventDefault();
        else onSubmit(e);
      }}
      className="flex flex-col items-end gap-1"
    >
      <input type="hidden" name="id" value={id} />
      <button type="submit" disabled={pending} className={buttonClass("danger", "sm")}>
        {pending ? "Revoking…" : "Revoke"}
      </button>
      {error && <p role="alert" className="text-xs text-red-300">{error}</p>}
    </form>
  );
}
