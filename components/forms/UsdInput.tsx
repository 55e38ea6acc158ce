import { inputClass } from "../ui/styles";

/**
 * A monthly limit in USD as people type it (the `limitUsd` field of lib/contracts/budgets.ts:
 * positive, cents at most matter): one input for the costs page's limit forms and the budget card.
 */
export function UsdInput({ id, defaultValue, invalid }: { id: string; defaultValue?: number | string; invalid: boolean }) {
  return (
    <input
      id={id}
      name="limitUsd"
      type="number"
      min="0.01"
      step="0.01"
      inputMode="decimal"
      defaultValue={defaultValue}
      className={inputClass(invalid)}
    />
  );
}
