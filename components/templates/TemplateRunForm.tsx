"use client";

import Link from "next/link";
import { useState } from "react";
import type { TemplateView } from "@/lib/services/templates";
import { renderText } from "@/lib/templateVariables";
import { describedBy, Field } from "../forms/Field";
import { FormError } from "../forms/FormError";
import { SubmitButton } from "../forms/SubmitButton";
import { useFormAction, type FormAction } from "../forms/useFormAction";
import { inputClass, linkClass } from "../ui/styles";

/** The form's field for a variable: `var.<name>` (the action turns them back into variables). */
const fieldName = (name: string) => `var.${name}`;

/**
 * A run from a template: its variables to fill in, the task as it will read, and the settings
 * it runs with (changed by editing the template, so every run from it is alike).
 */
export function TemplateRunForm({
  template,
  action,
  submitKey,
  mayEdit,
}: {
  template: TemplateView;
  action: FormAction<never>;
  submitKey: string;
  mayEdit: boolean;
}) {
  const { onSubmit, pending, fieldErrors, error } = useFormAction(action);
  const [values, setValues] = useState<Record<string, string>>({});
  const preview = renderText(
    template.run.prompt,
    Object.fromEntries(template.variables.map((v) => [v.name, values[v.name] || v.default || `{{${v.name}}}`])),
  );
  const r = template.run;
  const settings = [
    ["Repository", template.repo ?? "(removed)"],
    ["Executor", r.executor === "acp" && r.acpAgent ? `acp (${r.acpAgent})` : r.executor],
    ...(r.executor === "cli" ? [["Command", r.command ?? ""]] : [["Model", r.model ?? "default"], ["Approvals", r.approvalMode], ["Max turns", String(r.maxTurns)]]),
    ["Base branch", r.baseBranch ?? "the repository's default"],
    ["Timeout", `${Math.round(r.timeoutSec / 60)} min`],
    ["Priority", r.priority],
  ];
  return (
    <form onSubmit={onSubmit} className="space-y-6" aria-busy={pending} aria-label={`Start a run from ${template.name}`} noValidate>
      <FormError message={error} />
      <input type="hidden" name="templateId" value={template.id} />
      <input type="hidden" name="idempotencyKey" value={submitKey} />
      {template.description && <p className="text-sm text-zinc-300">{template.description}</p>}
      {template.variables.length === 0 ? (
        <p className="text-sm text-zinc-400">This template has no variables: its task runs as written.</p>
      ) : (
        <div className="space-y-4" data-testid="template-run-variables">
          {template.variables.map((v) => {
            const id = `var-${v.name.replace(/\./g, "-")}`;
            const err = fieldErrors[fieldName(v.name)];
            return (
              <Field key={v.name} id={id} label={`${v.name}${v.required ? " (required)" : ""}`} hint={v.description || (v.default ? `Default: ${v.default}` : undefined)} error={err}>
                <textarea
                  id={id}
                  name={fieldName(v.name)}
                  rows={2}
                  placeholder={v.default}
                  value={values[v.name] ?? ""}
                  onChange={(e) => setValues((all) => ({ ...all, [v.name]: e.target.value }))}
                  className={inputClass(!!err)}
                  {...describedBy(id, err)}
                />
              </Field>
            );
          })}
        </div>
      )}
      {template.run.prompt && (
        <div className="space-y-1.5">
          <p className="text-sm font-medium text-zinc-200">{r.executor === "cli" ? "Notes" : "Task"}, as it will read</p>
          <pre data-testid="template-preview" className="max-h-64 overflow-auto rounded-lg border border-zinc-800 bg-zinc-950 p-3 text-sm whitespace-pre-wrap break-words text-zinc-200">
            {preview}
          </pre>
        </div>
      )}
      <dl className="grid grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-2">
        {settings.map(([label, value]) => (
          <div key={label} className="flex min-w-0 gap-2">
            <dt className="shrink-0 text-zinc-500">{label}</dt>
            <dd className="min-w-0 font-mono break-all text-zinc-200">{value}</dd>
          </div>
        ))}
      </dl>
      <div className="flex flex-wrap items-center justify-end gap-3 border-t border-zinc-800 pt-5">
        {mayEdit && (
          <Link href={`/templates/${template.id}`} className={linkClass}>
            Edit the template
          </Link>
        )}
        <SubmitButton pending={pending} pendingText="Starting…">
          Start run
        </SubmitButton>
      </div>
    </form>
  );
}
