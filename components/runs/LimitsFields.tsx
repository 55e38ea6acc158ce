"use client";

import { describedBy, Field } from "../forms/Field";
import { inputClass } from "../ui/styles";
import { ChoiceOrText } from "./ChoiceOrText";

/**
 * What an agent run may use: its model (a known one, or any id typed), how many turns, and
 * the cost at which it stops to ask whether to go on. For the agent and claude-code executors,
 * which count cost; shell commands and ACP agents have none of these.
 */
export function LimitsFields({
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
      <Field id="model" label="Model" error={fieldErrors.model} hint="Any model id of the API may be typed under “Other model…”.">
        <ChoiceOrText
          id="model"
          name="model"
          choices={models.map((m, i) => ({ value: m, label: i === 0 ? `${m} (default)` : m }))}
          value={model}
          onChange={onModelChange}
          otherLabel="Other model…"
          placeholder="claude-…"
          error={fieldErrors.model}
          mono
        />
      </Field>
      <Field id="maxTurns" label="Max turns" error={fieldErrors.maxTurns} hint="Model responses before the run stops to ask (1–1000).">
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
        hint={`The run stops and asks before spending more. Empty: $${defaultBudgetUsd}.`}
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
