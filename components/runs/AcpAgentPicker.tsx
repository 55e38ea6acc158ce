"use client";

import type { AcpAgentChoice } from "@/lib/executors";
import { describedBy, Field } from "../forms/Field";
import { inputClass } from "../ui/styles";

/**
 * The registered ACP agent a run of executor `acp` starts. Agents no live job process can start
 * are listed but cannot be chosen; why not is said below the list.
 */
export function AcpAgentPicker({
  agents,
  value,
  onChange,
  error,
}: {
  agents: AcpAgentChoice[];
  value: string;
  onChange: (name: string) => void;
  error?: string;
}) {
  const chosen = agents.find((a) => a.name === value);
  const unavailable = agents.filter((a) => !a.available);
  return (
    <Field id="acpAgent" label="ACP agent" error={error} hint={chosen?.description || undefined}>
      <select id="acpAgent" name="acpAgent" value={value} onChange={(e) => onChange(e.target.value)} className={inputClass(!!error)} {...describedBy("acpAgent", error)}>
        {agents.map((a) => (
          <option key={a.name} value={a.name} disabled={!a.available}>
            {a.name}
            {a.available ? "" : " (not available)"}
          </option>
        ))}
      </select>
      {unavailable.length > 0 && (
        <ul className="space-y-0.5 text-xs text-zinc-500" data-testid="unavailable-agents">
          {unavailable.map((a) => (
            <li key={a.name}>{a.unavailableReason}</li>
          ))}
        </ul>
      )}
    </Field>
  );
}
