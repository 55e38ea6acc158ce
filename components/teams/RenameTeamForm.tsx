"use client";

import { describedBy, Field } from "../forms/Field";
import { FormError } from "../forms/FormError";
import { SubmitButton } from "../forms/SubmitButton";
import { useFormAction, type FormAction } from "../forms/useFormAction";
import { inputClass } from "../ui/styles";

/** An owner renames the team (its slug stays). */
export function RenameTeamForm({ name, action }: { name: string; action: FormAction<{ name: string }> }) {
  const { onSubmit, pending, fieldErrors, error } = useFormAction(action);
  return (
    <form onSubmit={onSubmit} className="flex flex-wrap items-end gap-3">
      <FormError message={error} />
      <div className="min-w-56 flex-1">
        <Field id="team-name" label="Team name" error={fieldErrors.name}>
          <input id="team-name" name="name" defaultValue={name} required maxLength={80} className={inputClass(!!fieldErrors.name)} {...describedBy("team-name", fieldErrors.name)} />
        </Field>
      </div>
      <SubmitButton pending={pending} pendingText="Saving…">
        Rename
      </SubmitButton>
    </form>
  );
}
