import { Field } from "../forms/Field";
import { inputClass } from "../ui/styles";

/** The run priority select, for a new run and a schedule's template alike. */
export function PriorityField({ error, defaultValue = "normal" }: { error?: string; defaultValue?: string }) {
  return (
    <Field id="priority" label="Priority" error={error}>
      <select id="priority" name="priority" defaultValue={defaultValue} className={inputClass(!!error)}>
        <option value="high">High</option>
        <option value="normal">Normal</option>
        <option value="low">Low</option>
      </select>
    </Field>
  );
}
