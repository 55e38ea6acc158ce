"use client";

import { useState } from "react";
import type { AcpAgentChoice, ExecutorInfo } from "@/lib/executors";
import { describedBy, Field } from "../forms/Field";
import { FormError } from "../forms/FormError";
import { SubmitButton } from "../forms/SubmitButton";
import { useFormAction, type FormAction } from "../forms/useFormAction";
import { inputClass } from "../ui/styles";
import { AcpAgentPicker } from "./AcpAgentPicker";
import { ExecutorPicker } from "./ExecutorPicker";
import { PriorityField } from "./PriorityField";

type RepoOption = { name: string; defaultBranch: string };

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
}: {
  action: FormAction<never>;
  repos: RepoOption[];
  executors: ExecutorInfo[];
  /** The registered ACP agents, for executor acp. */
  acpAgents: AcpAgentChoice[];
  maxTimeoutSec: number;
  /** Made once per page render: submitting twice (a double click, a retry) makes one run. */
  submitKey: string;
}) {
  const { onSubmit, pending, fieldErrors, error } = useFormAction(action);
  const [repo, setRepo] = useState(repos[0]?.name ?? "");
  const [executor, setExecutor] = useState<string>(executors.find((e) => e.available)?.name ?? "cli");
  const [acpAgent, setAcpAgent] = useState(acpAgents.find((a) => a.available)?.name ?? "");
  const [approvalMode, setApprovalMode] = useState("risky");
  const [timeout, setTimeoutValue] = useState("30");
  const [unit, setUnit] = useState<"60" | "1">("60");
  const cli = executor === "cli";
  const defaultBranch = repos.find((r) => r.name === repo)?.defaultBranch ?? "main";
  const timeoutSec = Number(timeout) > 0 ? String(Math.round(Number(timeout) * Number(unit))) : "";

  return (
    <form onSubmit={onSubmit} className="space-y-6" aria-busy={pending}>
      <FormError message={error} />
      <input type="hidden" name="idempotencyKey" value={submitKey} />
      <div className="grid gap-5 sm:grid-cols-2">
        <Field id="repo" label="Repository" error={fieldErrors.repo}>
          <select id="repo" name="repo" value={repo} onChange={(e) => setRepo(e.target.value)} className={inputClass(!!fieldErrors.repo)} {...describedBy("repo", fieldErrors.repo)}>
            {repos.map((r) => (
              <option key={r.name} value={r.name}>
                {r.name}
              </option>
            ))}
          </select>
        </Field>
        <Field id="baseBranch" label="Base branch" error={fieldErrors.baseBranch} hint={`Empty: the repository's default (${defaultBranch}).`}>
          <input id="baseBranch" name="baseBranch" placeholder={defaultBranch} className={inputClass(!!fieldErrors.baseBranch, true)} {...describedBy("baseBranch", fieldErrors.baseBranch)} />
        </Field>
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
            className={`${inputClass(!!fieldErrors.command, true)} bg-black`}
            {...describedBy("command", fieldErrors.command)}
          />
        </Field>
      )}

      <Field
        id="prompt"
        label={cli ? "Notes (optional)" : "Task"}
        error={fieldErrors.prompt}
        hint={cli ? "Kept with the run for context; the command above is what runs." : "What should the agent do? Be as specific as you would be with a colleague."}
      >
        <textarea id="prompt" name="prompt" rows={cli ? 2 : 6} className={inputClass(!!fieldErrors.prompt)} {...describedBy("prompt", fieldErrors.prompt)} />
      </Field>

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
        <PriorityField error={fieldErrors.priority} />
      </div>

      <div className="flex items-center justify-end gap-3 border-t border-zinc-800 pt-5">
        <SubmitButton pending={pending} pendingText="Starting…">
          Start run
        </SubmitButton>
      </div>
    </form>
  );
}
