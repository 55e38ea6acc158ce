"use client";

import { useState } from "react";
import type { AcpAgentChoice, ExecutorInfo } from "@/lib/executors";
import { describedBy, Field } from "../forms/Field";
import { FormError } from "../forms/FormError";
import { SubmitButton } from "../forms/SubmitButton";
import { useFormAction, type FormAction } from "../forms/useFormAction";
import { useResetOnSuccess } from "../forms/useResetOnSuccess";
import { AcpAgentPicker } from "../runs/AcpAgentPicker";
import { PriorityField } from "../runs/PriorityField";
import { inputClass } from "../ui/styles";

/** A team template a schedule may run, with the variables its ticks fill in. */
export type ScheduleTemplateChoice = { id: string; name: string; variables: { name: string; required: boolean; description: string; default?: string }[] };

/**
 * A new schedule: when (cron, zone) and what (the same fields as a new run). Only executors (and
 * ACP agents) a live job process offers now can be chosen; the others say why not.
 */
export function ScheduleForm({
  action,
  repos,
  executors,
  acpAgents,
  templates = [],
}: {
  action: FormAction<null>;
  repos: string[];
  executors: ExecutorInfo[];
  acpAgents: AcpAgentChoice[];
  templates?: ScheduleTemplateChoice[];
}) {
  const { onSubmit, pending, fieldErrors, error, result } = useFormAction(action);
  const form = useResetOnSuccess(result);
  const [executor, setExecutor] = useState<string>(executors.find((e) => e.available && e.name !== "cli")?.name ?? "cli");
  const [acpAgent, setAcpAgent] = useState(acpAgents.find((a) => a.available)?.name ?? "");
  const [templateId, setTemplateId] = useState("");
  const template = templates.find((t) => t.id === templateId);
  const cli = executor === "cli";
  const unavailable = executors.filter((e) => !e.available);
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
        {templates.length > 0 && (
          <Field id="templateId" label="Runs" error={fieldErrors.templateId} hint={template ? "The template's settings as they are at each firing." : undefined}>
            <select id="templateId" name="templateId" value={templateId} onChange={(e) => setTemplateId(e.target.value)} className={inputClass(!!fieldErrors.templateId)} {...describedBy("templateId", fieldErrors.templateId)}>
              <option value="">Its own settings (below)</option>
              {templates.map((t) => (
                <option key={t.id} value={t.id}>
                  Template: {t.name}
                </option>
              ))}
            </select>
          </Field>
        )}
        {text("cron", "Cron pattern", { placeholder: "0 3 * * 1-5" }, "minute hour day month weekday; at most every minute", true)}
        {text("timezone", "Time zone", { placeholder: "UTC", defaultValue: "UTC" }, "IANA name, e.g. Europe/Paris")}
        {!template && (
          <>
        <Field id="repo" label="Repository" error={fieldErrors.repo}>
          <select id="repo" name="repo" className={inputClass(!!fieldErrors.repo)} {...describedBy("repo", fieldErrors.repo)}>
            {repos.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </Field>
        <Field id="executor" label="Executor" error={fieldErrors.executor}>
          <select id="executor" name="executor" value={executor} onChange={(e) => setExecutor(e.target.value)} className={inputClass(!!fieldErrors.executor)} {...describedBy("executor", fieldErrors.executor)}>
            {executors.map((e) => (
              <option key={e.name} value={e.name} disabled={!e.available}>
                {e.label}
                {e.available ? "" : " (not available)"}
              </option>
            ))}
          </select>
          {unavailable.length > 0 && (
            <ul className="space-y-0.5 text-xs text-zinc-500" data-testid="unavailable-executors">
              {unavailable.map((e) => (
                <li key={e.name}>{e.unavailableReason}</li>
              ))}
            </ul>
          )}
        </Field>
        <PriorityField error={fieldErrors.priority} />
          </>
        )}
      </div>
      {template &&
        template.variables.map((v) => {
          const id = `var.${v.name}`;
          const err = fieldErrors[`variables.${v.name}`];
          return (
            <Field key={v.name} id={id} label={`${v.name}${v.required ? " (required)" : ""}`} error={err} hint={v.description || (v.default ? `Default: ${v.default}` : "Fixed for every run of this schedule.")}>
              <input id={id} name={id} autoComplete="off" placeholder={v.default} className={inputClass(!!err)} {...describedBy(id, err)} />
            </Field>
          );
        })}
      {!template && executor === "acp" && <AcpAgentPicker agents={acpAgents} value={acpAgent} onChange={setAcpAgent} error={fieldErrors.acpAgent} />}
      {!template && cli && (
        <Field id="command" label="Command" error={fieldErrors.command}>
          <textarea id="command" name="command" rows={3} spellCheck={false} className={`${inputClass(!!fieldErrors.command, true)} bg-black`} {...describedBy("command", fieldErrors.command)} />
        </Field>
      )}
      {!template && (
        <Field id="prompt" label={cli ? "Notes (optional)" : "Task"} error={fieldErrors.prompt}>
          <textarea id="prompt" name="prompt" rows={cli ? 2 : 4} className={inputClass(!!fieldErrors.prompt)} {...describedBy("prompt", fieldErrors.prompt)} />
        </Field>
      )}
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
