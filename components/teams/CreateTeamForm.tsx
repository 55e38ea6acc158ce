"use client";

import { describedBy, Field } from "../forms/Field";
import { FormError } from "../forms/FormError";
import { SubmitButton } from "../forms/SubmitButton";
import { useFormAction, type FormAction } from "../forms/useFormAction";
import { useResetOnSuccess } from "../forms/useResetOnSuccess";
import { inputClass, noticeClass } from "../ui/styles";

/** An instance admin creates a team and names its first owner among the existing accounts. */
export function CreateTeamForm({ accounts, action }: { accounts: { email: string; name: string }[]; action: FormAction<{ name: string; slug: string }> }) {
  const { onSubmit, pending, fieldErrors, error, result } = useFormAction(action);
  const form = useResetOnSuccess(result);
  return (
    <form ref={form} onSubmit={onSubmit} className="space-y-3">
      {result?.ok && (
        <p role="status" className={noticeClass("info")}>
          Team “{result.data.name}” created ({result.data.slug}). Its owner now finds it in the team switcher and invites the rest.
        </p>
      )}
      <FormError message={error} />
      <div className="grid gap-3 sm:grid-cols-2">
        <Field id="name" label="Name" error={fieldErrors.name}>
          <input id="name" name="name" required maxLength={80} placeholder="Platform" className={inputClass(!!fieldErrors.name)} {...describedBy("name", fieldErrors.name)} />
        </Field>
        <Field id="ownerEmail" label="First owner" error={fieldErrors.ownerEmail} hint="An existing account; it manages the team from then on.">
          <select id="ownerEmail" name="ownerEmail" required defaultValue="" className={inputClass(!!fieldErrors.ownerEmail)} {...describedBy("ownerEmail", fieldErrors.ownerEmail)}>
            <option value="" disabled>
              Choose an account…
            </option>
            {accounts.map((a) => (
              <option key={a.email} value={a.email}>
                {a.name ? `${a.name} (${a.email})` : a.email}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <SubmitButton pending={pending} pendingText="Creating…">
        Create team
      </SubmitButton>
    </form>
  );
}
