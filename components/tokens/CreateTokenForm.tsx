"use client";

import { describedBy, Field } from "../forms/Field";
import { FormError } from "../forms/FormError";
import { SubmitButton } from "../forms/SubmitButton";
import { useFormAction, type FormAction } from "../forms/useFormAction";
import { useResetOnSuccess } from "../forms/useResetOnSuccess";
import { inputClass } from "../ui/styles";
import { NewTokenBox } from "./NewTokenBox";

/** `teamName`: the team the token will act in (the person's active team). */
export function CreateTokenForm({ action, appUrl, teamName }: { action: FormAction<{ name: string; token: string }>; appUrl: string; teamName: string }) {
  const { onSubmit, pending, fieldErrors, error, result } = useFormAction(action);
  const form = useResetOnSuccess(result);
  return (
    <div className="space-y-4">
      {result?.ok && <NewTokenBox name={result.data.name} token={result.data.token} appUrl={appUrl} />}
      <form ref={form} onSubmit={onSubmit} className="space-y-3">
        <FormError message={error} />
        <div className="flex flex-col gap-3 sm:flex-row sm:items-start">
          <Field id="name" label="Token name" error={fieldErrors.name} hint="Say where it is used, e.g. “CI nightly”." className="flex-1">
            <input id="name" name="name" className={inputClass(!!fieldErrors.name)} placeholder="CI nightly" {...describedBy("name", fieldErrors.name)} />
          </Field>
          <Field id="scope" label="Scope" error={fieldErrors.scope} hint={`Works in ${teamName}, as your role there allows at most.`} className="sm:w-64">
            <select id="scope" name="scope" defaultValue="run" className={inputClass(!!fieldErrors.scope)} {...describedBy("scope", fieldErrors.scope)}>
              <option value="read">Read: only reads (GET)</option>
              <option value="run">Run: also starts and acts on runs</option>
              <option value="admin">Admin: everything your role allows</option>
            </select>
          </Field>
          <SubmitButton pending={pending} pendingText="Creating…" className="sm:mt-7">
            Create token
          </SubmitButton>
        </div>
      </form>
    </div>
  );
}
