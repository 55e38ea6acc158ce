"use client";

import { useState } from "react";
import type { CheckSpec } from "@/lib/contracts/environment";
import { buttonClass, inputClass } from "../ui/styles";

/** The form's phases, in the order a run meets them, and the field name each is sent under. */
export const checkPhaseFields = [
  { phase: "pre", title: "Pre-run checks", hint: "Before the agent starts: a failing one ends the run, naming it.", placeholder: "npm run lint" },
  { phase: "post", title: "Post-run checks", hint: "On the agent's committed changes: a failing one is flagged at review, and Push asks first.", placeholder: "npm test" },
  { phase: "onError", title: "Error hooks", hint: "When a run fails; its error is in $AGENTDESK_RUN_ERROR. Their own failure changes nothing.", placeholder: "./scripts/collect-logs.sh" },
] as const;
export type CheckPhaseField = (typeof checkPhaseFields)[number]["phase"];

type Row = { key: number; name: string; command: string; timeoutSec: string };
const blank = (row: Row) => row.name.trim() === "" && row.command.trim() === "";

/**
 * One phase's checks as rows (name, timeout, command) to add and remove. Only filled rows are
 * sent, numbered without gaps (`checks.<phase>.<n>.<field>`), so an error the server names lands
 * on the row it is about.
 */
export function ChecksEditor({
  phase,
  title,
  hint,
  placeholder,
  initial,
  fieldErrors,
}: {
  phase: CheckPhaseField;
  title: string;
  hint: string;
  placeholder: string;
  initial: CheckSpec[];
  fieldErrors: Record<string, string>;
}) {
  const [rows, setRows] = useState<Row[]>(() => initial.map((c, key) => ({ key, name: c.name, command: c.command, timeoutSec: String(c.timeoutSec) })));
  const [nextKey, setNextKey] = useState(initial.length);
  const update = (key: number, patch: Partial<Row>) => setRows((all) => all.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  const add = () => {
    setRows((all) => [...all, { key: nextKey, name: "", command: "", timeoutSec: "600" }]);
    setNextKey((k) => k + 1);
  };
  const listError = fieldErrors[`checks.${phase}`];
  let sent = 0;
  return (
    <div className="space-y-2" data-testid={`checks-${phase}`}>
      <div>
        <p className="text-sm font-medium text-zinc-200">{title}</p>
        <p className="text-xs text-zinc-500">{hint}</p>
      </div>
      {rows.length === 0 && <p className="text-xs text-zinc-500">None.</p>}
      <ul className="space-y-3">
        {rows.map((row) => {
          const index = blank(row) ? null : sent++;
          const field = (name: string) => (index === null ? undefined : `checks.${phase}.${index}.${name}`);
          const errorOf = (name: string) => (index === null ? undefined : fieldErrors[`checks.${phase}.${index}.${name}`]);
          const rowError = errorOf("name") ?? errorOf("command") ?? errorOf("timeoutSec");
          const id = (name: string) => `check-${phase}-${row.key}-${name}`;
          return (
            <li key={row.key} className="space-y-2 rounded-lg border border-zinc-800 p-3" data-check-row={phase}>
              <div className="grid grid-cols-[minmax(0,1fr)_7rem_auto] items-end gap-2">
                <div>
                  <label htmlFor={id("name")} className="block text-xs text-zinc-400">
                    Name
                  </label>
                  <input
                    id={id("name")}
                    name={field("name")}
                    value={row.name}
                    onChange={(e) => update(row.key, { name: e.target.value })}
                    placeholder="tests"
                    autoComplete="off"
                    className={inputClass(!!errorOf("name"))}
                  />
                </div>
                <div>
                  <label htmlFor={id("timeoutSec")} className="block text-xs text-zinc-400">
                    Timeout (s)
                  </label>
                  <input
                    id={id("timeoutSec")}
                    name={field("timeoutSec")}
                    value={row.timeoutSec}
                    onChange={(e) => update(row.key, { timeoutSec: e.target.value })}
                    inputMode="numeric"
                    className={inputClass(!!errorOf("timeoutSec"))}
                  />
                </div>
                <button
                  type="button"
                  onClick={() => setRows((all) => all.filter((r) => r.key !== row.key))}
                  className={buttonClass("ghost", "sm")}
                  aria-label={`Remove the check ${row.name || "row"}`}
                >
                  Remove
                </button>
              </div>
              <div>
                <label htmlFor={id("command")} className="block text-xs text-zinc-400">
                  Command
                </label>
                <textarea
                  id={id("command")}
                  name={field("command")}
                  value={row.command}
                  onChange={(e) => update(row.key, { command: e.target.value })}
                  rows={2}
                  spellCheck={false}
                  placeholder={placeholder}
                  className={inputClass(!!errorOf("command"), true)}
                />
              </div>
              {rowError && (
                <p role="alert" className="text-sm text-red-400">
                  {errorOf("name") ? `Name: ${rowError}` : errorOf("command") ? `Command: ${rowError}` : `Timeout: ${rowError}`}
                </p>
              )}
            </li>
          );
        })}
      </ul>
      {listError && (
        <p role="alert" className="text-sm text-red-400">
          {listError}
        </p>
      )}
      <button type="button" onClick={add} className={buttonClass("secondary", "sm")} data-testid={`add-check-${phase}`}>
        Add a check
      </button>
    </div>
  );
}
