"use client";

import { useState } from "react";
import { describedBy, Field } from "../forms/Field";
import { FormError } from "../forms/FormError";
import { listFieldError } from "../forms/listFieldError";
import { SubmitButton } from "../forms/SubmitButton";
import { useFormAction, type FormAction } from "../forms/useFormAction";
import { buttonClass, inputClass } from "../ui/styles";
import { acpAgentPresets, type AcpAgentPreset } from "./presets";

type Values = { name: string; description: string; command: string; args: string; envNames: string };

const empty: Values = { name: "", description: "", command: "", args: "", envNames: "" };

type AgentFields = { name: string; description: string; command: string; args: string[]; envNames: string[] };

// Lists as the form edits them: arguments one per line, names on one line.
const valuesOf = (a: AgentFields): Values => ({
  name: a.name,
  description: a.description,
  command: a.command,
  args: a.args.join("\n"),
  envNames: a.envNames.join(" "),
});

/**
 * Registers an ACP agent, or changes one (`agent` given: the name stays). Presets fill in the
 * launch lines of the agents people bring; the admin can change anything before saving.
 */
export function AcpAgentForm({
  action,
  agent,
}: {
  action: FormAction<{ name: string }>;
  agent?: AgentFields;
}) {
  const { onSubmit, pending, fieldErrors, error, result } = useFormAction(action);
  const editing = agent !== undefined;
  const [values, setValues] = useState<Values>(agent ? valuesOf(agent) : empty);
  const [preset, setPreset] = useState<AcpAgentPreset | null>(null);
  // A new registration starts from a clean form once saved; an edit keeps what was saved.
  // (Adjusted while rendering the new result, as React advises over an effect.)
  const [handled, setHandled] = useState(result);
  if (result !== handled) {
    setHandled(result);
    if (result?.ok && !editing) {
      setValues(empty);
      setPreset(null);
    }
  }
  const set = (field: keyof Values) => (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) =>
    setValues((v) => ({ ...v, [field]: e.target.value }));
  const idOf = (field: string) => (editing ? `${field}-${agent.name}` : field);
  const argsError = listFieldError(fieldErrors, "args");
  const envError = listFieldError(fieldErrors, "envNames");
  const mentionsAnthropicKey = /\bANTHROPIC_API_KEY\b/.test(values.envNames);

  return (
    <form onSubmit={onSubmit} className="space-y-4" aria-label={editing ? `Edit ACP agent ${agent.name}` : "Register an ACP agent"}>
      <FormError message={error} />
      {result?.ok && (
        <p role="status" className="rounded-lg border border-emerald-900/70 bg-emerald-950/40 px-3.5 py-2.5 text-sm text-emerald-200">
          {editing ? "Saved" : "Registered"} <span className="font-mono">{result.data.name}</span>. Job processes check it within seconds.
        </p>
      )}
      {!editing && (
        <div className="space-y-2">
          <p className="text-xs font-medium text-zinc-400">Start from a preset</p>
          <div className="flex flex-wrap gap-2" role="group" aria-label="Presets">
            {acpAgentPresets.map((p) => (
              <button
                key={p.key}
                type="button"
                data-preset={p.key}
                aria-pressed={preset?.key === p.key}
                onClick={() => {
                  setValues(valuesOf(p));
                  setPreset(p);
                }}
                className={buttonClass(preset?.key === p.key ? "primary" : "secondary", "sm")}
              >
                {p.label}
              </button>
            ))}
          </div>
          {preset && (
            <p data-testid="preset-needs" className="rounded-lg border border-zinc-800 bg-zinc-950 px-3 py-2 text-xs text-zinc-300">
              {preset.needs}
            </p>
          )}
        </div>
      )}
      <div className="grid gap-4 sm:grid-cols-2">
        {editing ? (
          <input type="hidden" name="name" value={agent.name} />
        ) : (
          <Field id="name" label="Name" error={fieldErrors.name} hint="What runs pick, e.g. goose: lowercase letters, digits and dashes.">
            <input id="name" name="name" value={values.name} onChange={set("name")} autoComplete="off" className={inputClass(!!fieldErrors.name, true)} placeholder="goose" {...describedBy("name", fieldErrors.name)} />
          </Field>
        )}
        <Field id={idOf("command")} label="Command" error={fieldErrors.command} hint="One program: a name on the job machines' PATH (or AgentDesk's own node_modules/.bin) or an absolute path.">
          <input id={idOf("command")} name="command" value={values.command} onChange={set("command")} autoComplete="off" spellCheck={false} className={inputClass(!!fieldErrors.command, true)} placeholder="goose" {...describedBy(idOf("command"), fieldErrors.command)} />
        </Field>
      </div>
      <Field id={idOf("args")} label="Arguments" error={argsError} hint="One per line, passed as they are (no shell).">
        <textarea id={idOf("args")} name="args" rows={3} value={values.args} onChange={set("args")} spellCheck={false} className={inputClass(!!argsError, true)} placeholder={"acp\n--with-builtin\ndeveloper"} {...describedBy(idOf("args"), argsError)} />
      </Field>
      <Field
        id={idOf("envNames")}
        label="Environment variables it receives"
        error={envError}
        hint="NAMES of the job process's variables, separated by spaces or commas; the values stay on the job machines. The agent and every command it runs in the sandbox can read them: name only what it needs."
      >
        <input id={idOf("envNames")} name="envNames" value={values.envNames} onChange={set("envNames")} autoComplete="off" spellCheck={false} className={inputClass(!!envError, true)} placeholder="GOOSE_PROVIDER GOOSE_MODEL OPENAI_API_KEY" {...describedBy(idOf("envNames"), envError)} />
      </Field>
      {mentionsAnthropicKey && (
        <p data-testid="anthropic-key-note" className="rounded-lg border border-indigo-900/70 bg-indigo-950/40 px-3 py-2 text-xs text-indigo-200">
          ANTHROPIC_API_KEY is never passed to the agent as it is: the job process gives it a model gateway instead (an address and a token valid only for the run&apos;s sandbox) and keeps the key itself.
        </p>
      )}
      <Field id={idOf("description")} label="Description (optional)" error={fieldErrors.description} hint="Shown to people picking an agent for a run.">
        <input id={idOf("description")} name="description" value={values.description} onChange={set("description")} maxLength={500} className={inputClass(!!fieldErrors.description)} {...describedBy(idOf("description"), fieldErrors.description)} />
      </Field>
      <div className="flex justify-end">
        <SubmitButton pending={pending} pendingText="Saving…">
          {editing ? "Save changes" : "Register agent"}
        </SubmitButton>
      </div>
    </form>
  );
}
