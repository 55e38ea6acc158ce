"use client";

import { useState } from "react";
import { describedBy } from "../forms/Field";
import { inputClass } from "../ui/styles";

// The select's value for "type another": no option of ours can be empty-ish or start with a space.
const OTHER = " other";

export type Choice = { value: string; label: string };

/**
 * A select of known values with an "Other…" entry that opens a text box, for fields where the
 * list is a help, not a limit (a model id, a branch). Exactly one control carries `name`, so the
 * form submits the chosen or the typed value. A value not in the list opens with the text box.
 */
export function ChoiceOrText({
  id,
  name,
  choices,
  value,
  onChange,
  otherLabel,
  placeholder,
  error,
  mono,
}: {
  id: string;
  name: string;
  choices: Choice[];
  value: string;
  onChange: (value: string) => void;
  otherLabel: string;
  placeholder?: string;
  error?: string;
  mono?: boolean;
}) {
  const [typing, setTyping] = useState(false);
  const listed = choices.some((c) => c.value === value);
  const other = typing || !listed;
  return (
    <div className="space-y-2">
      <select
        id={id}
        name={other ? undefined : name}
        value={other ? OTHER : value}
        onChange={(e) => {
          const next = e.target.value;
          setTyping(next === OTHER);
          // "Other…" keeps nothing of the list: the text box starts empty for a new value.
          onChange(next === OTHER ? "" : next);
        }}
        className={inputClass(!!error && !other, mono)}
        {...(other ? {} : describedBy(id, error))}
      >
        {choices.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
        <option value={OTHER}>{otherLabel}</option>
      </select>
      {other && (
        <input
          id={`${id}-other`}
          name={name}
          aria-label={otherLabel.replace(/…$/, "")}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          placeholder={placeholder}
          autoComplete="off"
          spellCheck={false}
          className={inputClass(!!error, mono)}
          {...describedBy(id, error)}
        />
      )}
    </div>
  );
}
