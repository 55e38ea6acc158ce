"use client";

import { useFormAction, type FormAction } from "./useFormAction";
import { buttonClass, type ButtonVariant } from "../ui/styles";

/**
 * One button posting `fields` as hidden inputs to a server action (rotate a secret, resend, turn
 * off, change a role…),
 * asking first when `confirm` is given; the action's refusal is shown under it, and what it
 * returns is handed to `children` (a rotated secret).
 */
export function ActionButton<T>({
  fields,
  action,
  label,
  pendingLabel,
  confirm,
  variant = "secondary",
  testId,
  children,
}: {
  fields: Record<string, string>;
  action: FormAction<T>;
  label: string;
  pendingLabel: string;
  confirm?: string;
  variant?: ButtonVariant;
  testId?: string;
  children?: (data: T) => React.ReactNode;
}) {
  const { onSubmit, pending, error, result } = useFormAction(action);
  return (
    <form
      onSubmit={(e) => {
        if (confirm && !window.confirm(confirm)) e.preventDefault();
        else onSubmit(e);
      }}
      className="flex flex-col items-start gap-1"
    >
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <button type="submit" disabled={pending} className={buttonClass(variant, "sm")} data-testid={testId}>
        {pending ? pendingLabel : label}
      </button>
      {error && (
        <p role="alert" className="max-w-xs text-xs text-red-300">
          {error}
        </p>
      )}
      {result?.ok && children?.(result.data)}
    </form>
  );
}
