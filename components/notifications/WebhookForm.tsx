"use client";

import { notificationStateLabels, notificationStates, type NotificationState } from "@/lib/contracts/notifications";
import type { NotificationSettings } from "@/lib/services/notifications";
import { describedBy, Field } from "../forms/Field";
import { FormError } from "../forms/FormError";
import { SubmitButton } from "../forms/SubmitButton";
import { useFormAction, type FormAction } from "../forms/useFormAction";
import { inputClass } from "../ui/styles";

/** The webhook URL and the states it is told about; an empty URL turns the webhook off. */
export function WebhookForm({ settings, action }: { settings: NotificationSettings; action: FormAction<NotificationSettings> }) {
  const { onSubmit, pending, fieldErrors, error, result } = useFormAction(action);
  const saved = result?.ok ? result.data : null;
  return (
    // noValidate: the server's check (the same as the API's) names what is wrong, next to the field.
    <form onSubmit={onSubmit} noValidate className="space-y-4" data-webhook-form>
      <FormError message={error} />
      <Field
        id="webhookUrl"
        label="Webhook URL"
        error={fieldErrors.webhookUrl}
        hint="A Slack, Mattermost or Rocket.Chat incoming webhook, or any URL that takes a JSON POST. Leave empty to turn it off."
      >
        <input
          id="webhookUrl"
          name="webhookUrl"
          type="url"
          inputMode="url"
          autoComplete="off"
          spellCheck={false}
          defaultValue={settings.webhookUrl ?? ""}
          placeholder="https://hooks.slack.com/services/…"
          className={inputClass(!!fieldErrors.webhookUrl, true)}
          {...describedBy("webhookUrl", fieldErrors.webhookUrl)}
        />
      </Field>
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium text-zinc-200">Send a message when one of your runs is</legend>
        {fieldErrors.states && <p className="text-sm text-red-400">{fieldErrors.states}</p>}
        <div className="flex flex-col gap-1 sm:flex-row sm:flex-wrap sm:gap-x-6">
          {notificationStates.map((state: NotificationState) => (
            <label key={state} className="flex min-h-11 items-center gap-2.5 text-sm text-zinc-300">
              <input
                type="checkbox"
                name={`state_${state}`}
                defaultChecked={settings.states.includes(state)}
                className="size-4 rounded border-zinc-600 bg-zinc-950 accent-indigo-500"
              />
              {notificationStateLabels[state]}
            </label>
          ))}
        </div>
      </fieldset>
      <div className="flex flex-wrap items-center gap-3">
        <SubmitButton pending={pending} pendingText="Saving…">
          Save
        </SubmitButton>
        {saved && (
          <span role="status" data-webhook-saved className="text-sm text-emerald-400">
            {saved.webhookUrl ? "Saved. Send a test message to check it." : "Saved. No webhook messages will be sent."}
          </span>
        )}
      </div>
    </form>
  );
}
