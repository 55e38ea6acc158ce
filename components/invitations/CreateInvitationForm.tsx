"use client";

import { describedBy, Field } from "../forms/Field";
import { FormError } from "../forms/FormError";
import { SubmitButton } from "../forms/SubmitButton";
import { useFormAction, type FormAction } from "../forms/useFormAction";
import { useResetOnSuccess } from "../forms/useResetOnSuccess";
import { teamRoleLabels, type TeamRole } from "@/lib/teamRoles";
import { inputClass } from "../ui/styles";
import { NewInvitationBox, type NewInvitation } from "./NewInvitationBox";

const lifetimes = [
  { hours: 24, label: "1 day" },
  { hours: 72, label: "3 days" },
  { hours: 168, label: "7 days" },
  { hours: 720, label: "30 days" },
];

/** `roles`: the roles the inviter may give (lib/teamRoles.ts rolesManageableBy). */
export function CreateInvitationForm({ action, roles }: { action: FormAction<NewInvitation>; roles: readonly TeamRole[] }) {
  const { onSubmit, pending, fieldErrors, error, result } = useFormAction(action);
  const form = useResetOnSuccess(result);
  return (
    <div className="space-y-4">
      {result?.ok && <NewInvitationBox invitation={result.data} />}
      <form ref={form} onSubmit={onSubmit} className="space-y-3">
        <FormError message={error} />
        <div className="grid gap-3 sm:grid-cols-3">
          <Field id="email" label="Email (optional)" error={fieldErrors.email} hint="Only this address can use the link.">
            <input id="email" name="email" type="email" className={inputClass(!!fieldErrors.email)} placeholder="ada@example.com" {...describedBy("email", fieldErrors.email)} />
          </Field>
          <Field id="teamRole" label="Role in the team" error={fieldErrors.teamRole}>
            <select id="teamRole" name="teamRole" defaultValue="member" className={inputClass(!!fieldErrors.teamRole)}>
              {roles.map((r) => (
                <option key={r} value={r}>
                  {teamRoleLabels[r]}
                </option>
              ))}
            </select>
          </Field>
          <Field id="expiresInHours" label="Valid for" error={fieldErrors.expiresInHours}>
            <select id="expiresInHours" name="expiresInHours" defaultValue="72" className={inputClass(!!fieldErrors.expiresInHours)}>
              {lifetimes.map((l) => (
                <option key={l.hours} value={l.hours}>
                  {l.label}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <SubmitButton pending={pending} pendingText="Creating…">
          Create invitation link
        </SubmitButton>
      </form>
    </div>
  );
}
