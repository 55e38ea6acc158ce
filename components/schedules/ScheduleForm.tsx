"use client";

import { useState } from "react";
import { describedBy, Field } from "../forms/Field";
import { FormError } from "../forms/FormError";
import { SubmitButton } from "../forms/SubmitButton";
import { useFormAction, type FormAction } from "../forms/useFormAction";
import { useResetOnSuccess } from "../forms/useResetOnSuccess";
import { PriorityField } from "../runs/PriorityField";
import { inputClass } from "../ui/styles";

const executorOptions = [
  { value: "agent", label: "Agent" },
  { value: "claude-code", label: "Claude Code" },
  { value: "acp", label: "ACP agent" },
  { value: "cli", label: "Shell command" },
];

/** A new schedule: when (cron, zone) and what (the same fields as a new run). */
export function ScheduleForm({ action, repos }: { action: FormAction<null>; repos: string[] }) {
  const { onSubmit, pending, fieldErrors, error, result } = useFormAction(action);
  const form = useResetOnSuccess(result);
  const [executor, setExecutor] = useState("agent");
  const cli = executor === "cli";
  const text = (id: string, label: string, props: React.InputHTMLAttributes<HTMLInputElement>, hint?: React.ReactNode, mono = false) => (
    <Field id={id} label={label} error={fieldErrors[id]} hint={hint}>
      <input id={id} name={id} autoComplete="off" spellCheck={false} className={inputClass(!!fieldErrors[id], mono)} {...describedBy(id, fieldErrors[id])} {...props} />
    </Field>
  );
  return (
    <form ref={form} onSubmit={onSubmit} className="space-y-5" aria-label="New schedule" aria-busy={pending}>
      <FormError message={error} />
      <div className="grid gap-5 sm:grid-cols-2">
        {text("name", "Name", { placeholder: "Nightly dependency bump", maxLength: 120 })}
        <Field id="repo" label="Repository" error={fieldErrors.repo}>
          <select id="repo" name="repo" className={inputClass(!!fieldErrors.repo)} {...describedBy("repo", fieldErrors.repo)}>
            {repos.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </Field>
        {text("cron", "Cron pattern", { placeholder: "0 3 * * 1-5" }, "minute hour day month weekday; at most every minute", true)}
        {text("timezone", "Time zone", { placeholder: "UTC", defaultValue: "UTC" }, "IANA name, e.g. Europe/Paris")}
        <Field id="executor" label="Executor" error={fieldErrors.executor}>
          <select id="executor" name="executor" value={executor} onChange={(e) => setExecutor(e.target.value)} className={inputClass(!!fieldErrors.executor)}>
            {executorOptions.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </Field>
        <PriorityField error={fieldErrors.priority} />
      </div>
      {cli && (
        <Field id="command" label="Command" error={fieldErrors.command}>
          <textarea id="command" name="command" rows={3} spellCheck={false} className={`${inputClass(!!fieldErrors.command, true)} bg-black`} {...describedBy("command", fieldErrors.command)} />
        </Field>
      )}
      <Field id="prompt" label={cli ? "Notes (optional)" : "Task"} error={fieldErrors.prompt}>
        <textarea id="prompt" name="prompt" rows={cli ? 2 : 4} className={inputClass(!!fieldErrors.prompt)} {...describedBy("prompt", fieldErrors.prompt)} />
      </Field>
      {/* Approvals, limits and model keep the run defaults here (the API sets them all); the
          default timeout can still exceed a lowered RUN_TIMEOUT_MAX_SEC, which has no field to mark. */}
      {fieldErrors.timeoutSec && <FormError message={`Timeout: ${fieldErrors.timeoutSec}`} />}
      <div className="flex justify-end border-t border-zinc-800 pt-5">
        <SubmitButton pending={pending} pendingText="Saving…">
          Add schedule
        </SubmitButton>
      </div>
    </form>
  );
}
