"use client";

import { describedBy, Field } from "../forms/Field";
import { inputClass } from "../ui/styles";
import { ChoiceOrText } from "./ChoiceOrText";

/**
 * What an agent run may use: its model (a known one, or any id typed), how many turns, and
 * the cost at which it stops to ask whether to go on. An ACP agent (`acp`) has them as ACP
 * lets a client hold them (jobs/executors/acp/limits.ts): the model is the agent's own name
 * for it, set through its model setting; turns are the prompts AgentDesk sends it; the budget
 * is held against the cost the agent reports. Shell commands have none of these.
 */
export function LimitsFields({
  acp,
  models,
  model,
  onModelChange,
  maxTurns,
  onMaxTurnsChange,
  budgetUsd,
  onBudgetChange,
  defaultBudgetUsd,
  fieldErrors,
}: {
  /** For an ACP agent: its own model names, prompt turns, the cost it reports. */
  acp: boolean;
  models: string[];
  model: string;
  onModelChange: (value: string) => void;
  maxTurns: string;
  onMaxTurnsChange: (value: string) => void;
  budgetUsd: string;
  onBudgetChange: (value: string) => void;
  defaultBudgetUsd: number;
  fieldErrors: Record<string, string>;
}) {
  return (
    <div className="grid gap-5 sm:grid-cols-3">
      <Field
        id="model"
        label="Model"
        error={fieldErrors.model}
        hint={
          acp
            ? "The agent’s name for it (claude-agent-acp: sonnet, opus, haiku). An agent without it fails the run, saying what it offers."
            : "Any model id of the API may be typed under “Other model…”."
        }
      >
        <ChoiceOrText
          id="model"
          name="model"
          choices={acp ? [{ value: "", label: "The agent’s own" }] : models.map((m, i) => ({ value: m, label: i === 0 ? `${m} (default)` : m }))}
          value={model}
          onChange={onModelChange}
          otherLabel="Other model…"
          placeholder={acp ? "sonnet" : "claude-…"}
          error={fieldErrors.model}
          mono
        />
      </Field>
      <Field
        id="maxTurns"
        label={acp ? "Max prompt turns" : "Max turns"}
        error={fieldErrors.maxTurns}
        hint={acp ? "Prompts sent to the agent (task, notes, continuations) before the run stops to ask (1–1000)." : "Model responses before the run stops to ask (1–1000)."}
      >
        <input
          id="maxTurns"
          name="maxTurns"
          type="number"
          min={1}
          max={1000}
          step={1}
          inputMode="numeric"
          value={maxTurns}
          onChange={(e) => onMaxTurnsChange(e.target.value)}
          className={inputClass(!!fieldErrors.maxTurns)}
          {...describedBy("maxTurns", fieldErrors.maxTurns)}
        />
      </Field>
      <Field
        id="budgetUsd"
        label="Budget (USD)"
        error={fieldErrors.budgetUsd}
        hint={`${acp ? "Held against the cost the agent reports: the" : "The"} run stops and asks before spending more. Empty: $${defaultBudgetUsd}.`}
      >
        <input
          id="budgetUsd"
          name="budgetUsd"
          type="number"
          min={0.01}
          step={0.01}
          inputMode="decimal"
          placeholder={String(defaultBudgetUsd)}
          value={budgetUsd}
          onChange={(e) => onBudgetChange(e.target.value)}
          className={inputClass(!!fieldErrors.budgetUsd)}
          {...describedBy("budgetUsd", fieldErrors.budgetUsd)}
        />
      </Field>
    </div>
  );
}
