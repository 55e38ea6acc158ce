"use client";

import { useState } from "react";
import type { AcpAgentChoice, ExecutorInfo } from "@/lib/executors";
import type { NewRunFormOptions } from "@/lib/services/newRunForm";
import type { StoredRunSettings } from "@/lib/services/runSettings";
import type { VariableDeclaration } from "@/lib/templateVariables";
import { describedBy, Field } from "../forms/Field";
import { FormError } from "../forms/FormError";
import { SubmitButton } from "../forms/SubmitButton";
import { useFormAction, type FormAction } from "../forms/useFormAction";
import { inputClass } from "../ui/styles";
import { AcpAgentPicker } from "./AcpAgentPicker";
import { BaseBranchField } from "./BaseBranchField";
import { DependsOnField } from "./DependsOnField";
import { ExecutorPicker } from "./ExecutorPicker";
import { LimitsFields } from "./LimitsFields";
import { PriorityField } from "./PriorityField";
import { SaveAsTemplateButton } from "../templates/SaveAsTemplateButton";
import { VariablesEditor } from "../templates/VariablesEditor";

type RepoOption = { name: string; defaultBranch: string };

/** The form as a run template's editor (app/(app)/templates): its own fields, and the run's as saved. */
export type TemplateFormFields = {
  id?: string;
  name: string;
  description: string;
  variables: VariableDeclaration[];
  settings: Partial<StoredRunSettings> | null;
};

// A new user's first run: an agent when one can run, the shell command only when none can.
const preferredExecutors = ["agent", "claude-code", "acp", "cli"];

/** The executor the form opens with: a duplicated run's if it can still run, else the first agent available. */
function initialExecutor(executors: ExecutorInfo[], wanted: string | undefined): string {
  const available = (name: string | undefined) => executors.some((e) => e.name === name && e.available);
  if (available(wanted)) return wanted!;
  return preferredExecutors.find(available) ?? "cli";
}

/** The timeout as the form shows it: whole minutes when it is some, else seconds. */
function timeoutParts(timeoutSec: number | undefined): { value: string; unit: "60" | "1" } {
  if (timeoutSec === undefined) return { value: "30", unit: "60" };
  return timeoutSec % 60 === 0 ? { value: String(timeoutSec / 60), unit: "60" } : { value: String(timeoutSec), unit: "1" };
}

const approvalModes = [
  { value: "risky", label: "Ask before risky actions", hint: "Reads and edits run freely; shell commands that look risky wait for you." },
  { value: "all", label: "Ask before every action", hint: "Every tool call waits for your approval." },
  { value: "auto", label: "Never ask", hint: "The agent runs every action itself. Still nothing is pushed without review." },
];

export function NewRunForm({
  action,
  repos,
  executors,
  acpAgents,
  maxTimeoutSec,
  submitKey,
  models,
  defaultModel,
  defaultBudgetUsd,
  prefill,
  prefillError,
  dependencyChoices,
  template,
}: NewRunFormOptions & {
  action: FormAction<never>;
  repos: RepoOption[];
  executors: ExecutorInfo[];
  /** The registered ACP agents, for executor acp. */
  acpAgents: AcpAgentChoice[];
  maxTimeoutSec: number;
  /** Made once per page render: submitting twice (a double click, a retry) makes one run. */
  submitKey: string;
  /** Set: the form saves a run template (new, or the one with this id) instead of starting a run. */
  template?: TemplateFormFields;
}) {
  const { onSubmit, pending, fieldErrors, error } = useFormAction(action);
  // A duplicated run (/runs/new?from=<id>) opens with its settings; the person edits and starts it.
  // A template being edited opens with its own.
  const from: (Partial<StoredRunSettings> & { from?: string }) | undefined = prefill ?? template?.settings ?? undefined;
  const [repo, setRepo] = useState(from?.repo && repos.some((r) => r.name === from.repo) ? from.repo : (repos[0]?.name ?? ""));
  const [baseBranch, setBaseBranch] = useState(from?.baseBranch ?? "");
  const [executor, setExecutor] = useState<string>(() => initialExecutor(executors, from?.executor));
  const [acpAgent, setAcpAgent] = useState(from?.acpAgent ?? acpAgents.find((a) => a.available)?.name ?? "");
  const [approvalMode, setApprovalMode] = useState(from?.approvalMode ?? "risky");
  const [timeout, setTimeoutValue] = useState(() => timeoutParts(from?.timeoutSec).value);
  const [unit, setUnit] = useState<"60" | "1">(() => timeoutParts(from?.timeoutSec).unit);
  const [model, setModel] = useState(from?.executor !== "acp" ? (from?.model ?? defaultModel) : defaultModel);
  // An ACP agent names its models its own way: empty is the agent's own.
  const [acpModel, setAcpModel] = useState(from?.executor === "acp" ? (from.model ?? "") : "");
  const [maxTurns, setMaxTurns] = useState(String(from?.maxTurns ?? 50));
  const [budgetUsd, setBudgetUsd] = useState(from?.budgetUsd !== undefined ? String(from.budgetUsd) : "");
  const cli = executor === "cli";
  const acp = executor === "acp";
  const defaultBranch = repos.find((r) => r.name === repo)?.defaultBranch ?? "main";
  const timeoutSec = Number(timeout) > 0 ? String(Math.round(Number(timeout) * Number(unit))) : "";

  return (
    // noValidate: the server's messages, naming each field, are the ones shown.
    <form onSubmit={onSubmit} className="space-y-6" aria-busy={pending} noValidate>
      <FormError message={error} />
      {template && (
        <>
          {template.id && <input type="hidden" name="templateId" value={template.id} />}
          <div className="grid gap-5 sm:grid-cols-2">
            <Field id="name" label="Template name" error={fieldErrors.name}>
              <input id="name" name="name" maxLength={120} defaultValue={template.name} autoComplete="off" placeholder="Fix a reported bug" className={inputClass(!!fieldErrors.name)} {...describedBy("name", fieldErrors.name)} />
            </Field>
            <Field id="description" label="Description (optional)" error={fieldErrors.description}>
              <input id="description" name="description" maxLength={2000} defaultValue={template.description} autoComplete="off" className={inputClass(!!fieldErrors.description)} {...describedBy("description", fieldErrors.description)} />
            </Field>
          </div>
        </>
      )}
      {prefill && (
        <p data-testid="duplicate-note" className="rounded-lg border border-indigo-900/60 bg-indigo-950/30 px-3 py-2 text-sm text-indigo-200">
          A copy of run <a href={`/runs/${prefill.from}`} className="font-mono underline-offset-2 hover:underline">{prefill.from.slice(0, 8)}</a>: change what you need, then start it.
        </p>
      )}
      {prefillError && (
        <p role="status" className="rounded-lg border border-amber-900/60 bg-amber-950/30 px-3 py-2 text-sm text-amber-200">
          {prefillError}
        </p>
      )}
      {!template && <input type="hidden" name="idempotencyKey" value={submitKey} />}
      <div className="grid gap-5 sm:grid-cols-2">
        <Field id="repo" label="Repository" error={fieldErrors.repo}>
          <select
            id="repo"
            name="repo"
            value={repo}
            onChange={(e) => {
              setRepo(e.target.value);
              // Another repository has other branches: start from its default.
              setBaseBranch("");
            }} className={inputClass(!!fieldErrors.repo)} {...describedBy("repo", fieldErrors.repo)}>
            {repos.map((r) => (
              <option key={r.name} value={r.name}>
                {r.name}
              </option>
            ))}
          </select>
        </Field>
        <BaseBranchField repo={repo} defaultBranch={defaultBranch} value={baseBranch} onChange={setBaseBranch} error={fieldErrors.baseBranch} />
      </div>

      <Field id="executor" label="Executor" error={fieldErrors.executor}>
        <ExecutorPicker executors={executors} value={executor} onChange={setExecutor} invalid={!!fieldErrors.executor} />
      </Field>

      {executor === "acp" && <AcpAgentPicker agents={acpAgents} value={acpAgent} onChange={setAcpAgent} error={fieldErrors.acpAgent} />}

      {cli && (
        <Field id="command" label="Command" error={fieldErrors.command} hint="Runs with bash in a fresh worktree of the base branch; whatever it changes is committed on the run's branch.">
          <textarea
            id="command"
            name="command"
            rows={4}
            spellCheck={false}
            placeholder={'npm ci && npm run lint -- --fix'}
            defaultValue={from?.command}
            className={`${inputClass(!!fieldErrors.command, true)} bg-black`}
            {...describedBy("command", fieldErrors.command)}
          />
        </Field>
      )}

      <Field
        id="prompt"
        label={cli ? "Notes (optional)" : "Task"}
        error={fieldErrors.prompt}
        hint={
          template
            ? "Write {{name}} where a variable's value goes (declare it below); the command is never filled in."
            : cli
              ? "Kept with the run for context; the command above is what runs."
              : "What should the agent do? Be as specific as you would be with a colleague."
        }
      >
        <textarea id="prompt" name="prompt" rows={cli ? 2 : 6} defaultValue={from?.prompt} className={inputClass(!!fieldErrors.prompt)} {...describedBy("prompt", fieldErrors.prompt)} />
      </Field>

      {template && <VariablesEditor initial={template.variables} fieldErrors={fieldErrors} />}

      {cli ? (
        <p data-testid="no-limits" className="text-sm text-zinc-400">
          A shell command has no model, turn limit or budget; the timeout below bounds it.
        </p>
      ) : (
        <LimitsFields
          // Its own model state per kind: a Claude model id means nothing to an ACP agent.
          key={acp ? "acp" : "ours"}
          acp={acp}
          models={models}
          model={acp ? acpModel : model}
          onModelChange={acp ? setAcpModel : setModel}
          maxTurns={maxTurns}
          onMaxTurnsChange={setMaxTurns}
          budgetUsd={budgetUsd}
          onBudgetChange={setBudgetUsd}
          defaultBudgetUsd={defaultBudgetUsd}
          fieldErrors={fieldErrors}
        />
      )}

      <div className={`grid gap-5 ${cli ? "sm:grid-cols-2" : "sm:grid-cols-3"}`}>
        {/* A shell command is the person's own instruction: approvals apply to agent executors. */}
        {!cli && (
          <Field id="approvalMode" label="Approvals" error={fieldErrors.approvalMode} hint={approvalModes.find((m) => m.value === approvalMode)?.hint}>
            <select id="approvalMode" name="approvalMode" value={approvalMode} onChange={(e) => setApprovalMode(e.target.value)} className={inputClass(!!fieldErrors.approvalMode)}>
              {approvalModes.map((m) => (
                <option key={m.value} value={m.value}>
                  {m.label}
                </option>
              ))}
            </select>
          </Field>
        )}
        <Field id="timeout" label="Timeout" error={fieldErrors.timeoutSec} hint={`At most ${Math.round(maxTimeoutSec / 60)} minutes.`}>
          <div className="flex gap-2">
            <input
              id="timeout"
              type="number"
              min={1}
              inputMode="numeric"
              value={timeout}
              onChange={(e) => setTimeoutValue(e.target.value)}
              className={inputClass(!!fieldErrors.timeoutSec)}
              {...describedBy("timeout", fieldErrors.timeoutSec)}
            />
            <select aria-label="Timeout unit" value={unit} onChange={(e) => setUnit(e.target.value as "60" | "1")} className={`${inputClass()} w-28`}>
              <option value="60">minutes</option>
              <option value="1">seconds</option>
            </select>
            <input type="hidden" name="timeoutSec" value={timeoutSec} />
          </div>
        </Field>
        <PriorityField error={fieldErrors.priority} defaultValue={from?.priority} />
      </div>

      {/* A template saves settings to start runs from later: which runs to wait for is chosen then. */}
      {!template && <DependsOnField choices={dependencyChoices} error={fieldErrors.dependsOn ?? fieldErrors["dependsOn.0"]} />}

      <div className="flex flex-wrap items-center justify-end gap-3 border-t border-zinc-800 pt-5">
        {template ? (
          <SubmitButton pending={pending} pendingText="Saving…">
            Save template
          </SubmitButton>
        ) : (
          <>
            <SaveAsTemplateButton />
            <SubmitButton pending={pending} pendingText="Starting…">
              Start run
            </SubmitButton>
          </>
        )}
      </div>
    </form>
  );
}
