"use client";

import { useState } from "react";
import type { VariableDeclaration } from "@/lib/templateVariables";
import { describedBy, Field } from "../forms/Field";
import type { FieldErrors } from "@/lib/http/action";
import { buttonClass, inputClass } from "../ui/styles";

type Row = { key: number; name: string; description: string; required: boolean; default: string };

const toRow = (v: VariableDeclaration, key: number): Row => ({ key, name: v.name, description: v.description, required: v.required, default: v.default ?? "" });

/**
 * A template's variables, posted as one JSON field (`variables`) that the server validates as
 * the API does; each row shows the errors named `variables.<i>.<field>`.
 */
export function VariablesEditor({ initial, fieldErrors }: { initial: VariableDeclaration[]; fieldErrors: FieldErrors }) {
  const [rows, setRows] = useState<Row[]>(() => initial.map(toRow));
  const [next, setNext] = useState(initial.length);
  const update = (key: number, change: Partial<Row>) => setRows((all) => all.map((r) => (r.key === key ? { ...r, ...change } : r)));
  const value = JSON.stringify(
    rows.map((r) => ({ name: r.name.trim(), description: r.description, required: r.required, ...(r.default !== "" && !r.required ? { default: r.default } : {}) })),
  );
  const listError = fieldErrors.variables;
  return (
    <fieldset className="space-y-3" data-testid="template-variables">
      <legend className="text-sm font-medium text-zinc-200">Variables</legend>
      <p className="text-xs text-zinc-500">
        Filled in when a run starts (the New run form, a schedule, a webhook). Dotted names like <code className="font-mono">issue.title</code> are
        what incoming webhooks pass. A value is put in as plain text.
      </p>
      <input type="hidden" name="variables" value={value} />
      {listError && (
        <p role="alert" className="text-sm text-red-400">
          {listError}
        </p>
      )}
      {rows.length === 0 && <p className="text-sm text-zinc-400">No variables: the prompt is used as written.</p>}
      <ul className="space-y-3">
        {rows.map((r, i) => {
          const err = (field: string) => fieldErrors[`variables.${i}.${field}`];
          return (
            <li key={r.key} className="grid gap-3 rounded-lg border border-zinc-800 p-3 sm:grid-cols-[1fr_1fr_auto]" data-testid="template-variable">
              <Field id={`var-${r.key}-name`} label="Name" error={err("name")}>
                <input
                  id={`var-${r.key}-name`}
                  value={r.name}
                  onChange={(e) => update(r.key, { name: e.target.value })}
                  spellCheck={false}
                  autoComplete="off"
                  placeholder="issue.title"
                  className={inputClass(!!err("name"), true)}
                  {...describedBy(`var-${r.key}-name`, err("name"))}
                />
              </Field>
              <Field id={`var-${r.key}-default`} label={r.required ? "Default (none: required)" : "Default (optional)"} error={err("default")}>
                <input
                  id={`var-${r.key}-default`}
                  value={r.required ? "" : r.default}
                  disabled={r.required}
                  onChange={(e) => update(r.key, { default: e.target.value })}
                  autoComplete="off"
                  className={inputClass(!!err("default"))}
                  {...describedBy(`var-${r.key}-default`, err("default"))}
                />
              </Field>
              <div className="flex items-end gap-3">
                <label className="flex min-h-11 items-center gap-2 text-sm text-zinc-300">
                  <input type="checkbox" checked={r.required} onChange={(e) => update(r.key, { required: e.target.checked })} className="h-4 w-4" />
                  Required
                </label>
                <button type="button" onClick={() => setRows((all) => all.filter((x) => x.key !== r.key))} className={buttonClass("ghost", "sm")} aria-label={`Remove variable ${r.name || i + 1}`}>
                  Remove
                </button>
              </div>
              <Field id={`var-${r.key}-description`} label="Description (optional)" error={err("description")} className="sm:col-span-3">
                <input
                  id={`var-${r.key}-description`}
                  value={r.description}
                  onChange={(e) => update(r.key, { description: e.target.value })}
                  autoComplete="off"
                  className={inputClass(!!err("description"))}
                />
              </Field>
            </li>
          );
        })}
      </ul>
      <button
        type="button"
        className={buttonClass("secondary", "sm")}
        onClick={() => {
          setRows((all) => [...all, { key: next, name: "", description: "", required: false, default: "" }]);
          setNext((n) => n + 1);
        }}
      >
        Add a variable
      </button>
    </fieldset>
  );
}
