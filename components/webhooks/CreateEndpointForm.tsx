"use client";

import { defaultNotificationStates } from "@/lib/contracts/notifications";
import { describedBy, Field } from "../forms/Field";
import { FormError } from "../forms/FormError";
import { SubmitButton } from "../forms/SubmitButton";
import { useFormAction, type FormAction } from "../forms/useFormAction";
import { useResetOnSuccess } from "../forms/useResetOnSuccess";
import { inputClass } from "../ui/styles";
import { SecretBox } from "./SecretBox";
import { StatesFieldset } from "./StatesFieldset";

/** A new outgoing endpoint; `teamName` when the person may make one for their team. */
export function CreateEndpointForm({ action, teamName }: { action: FormAction<{ secret: string; url: string }>; teamName: string | null }) {
  const { onSubmit, pending, fieldErrors, error, result } = useFormAction(action);
  const form = useResetOnSuccess(result);
  return (
    <div className="space-y-4">
      {result?.ok && <SecretBox secret={result.data.secret} what={`Endpoint ${result.data.url} added.`} />}
      <form ref={form} onSubmit={onSubmit} noValidate className="space-y-4" data-create-endpoint>
        <FormError message={error} />
        <Field id="url" label="URL" error={fieldErrors.url} hint="Receives a signed JSON POST for each event.">
          <input id="url" name="url" type="url" inputMode="url" autoComplete="off" spellCheck={false} placeholder="https://ci.example.com/agentdesk" className={inputClass(!!fieldErrors.url, true)} {...describedBy("url", fieldErrors.url)} />
        </Field>
        <div className="flex flex-col gap-3 sm:flex-row">
          <Field id="description" label="Description" error={fieldErrors.description} hint="Optional: what it feeds." className="flex-1">
            <input id="description" name="description" className={inputClass(!!fieldErrors.description)} placeholder="Deploy bot" {...describedBy("description", fieldErrors.description)} />
          </Field>
          {teamName && (
            <Field id="owner" label="Runs" error={fieldErrors.owner} className="sm:w-64">
              <select id="owner" name="owner" defaultValue="user" className={inputClass(!!fieldErrors.owner)}>
                <option value="user">Only my runs</option>
                <option value="team">Every run of {teamName}</option>
              </select>
            </Field>
          )}
        </div>
        <StatesFieldset chosen={defaultNotificationStates} error={fieldErrors.states} />
        <SubmitButton pending={pending} pendingText="Adding…">
          Add endpoint
        </SubmitButton>
      </form>
    </div>
  );
}
