"use client";

import { describedBy, Field } from "../forms/Field";
import { FormError } from "../forms/FormError";
import { SubmitButton } from "../forms/SubmitButton";
import { useFormAction, type FormAction } from "../forms/useFormAction";
import { useResetOnSuccess } from "../forms/useResetOnSuccess";
import { inputClass } from "../ui/styles";
import { NewTokenBox } from "./NewTokenBox";

export function CreateTokenForm({ action, appUrl }: { action: FormAction<{ name: string; token: string }>; appUrl: string }) {
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
          <SubmitButton pending={pending} pendingText="Creating…" className="sm:mt-7">
            Create token
          </SubmitButton>
        </div>
      </form>
    </div>
  );
}
