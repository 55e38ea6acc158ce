"use client";

import type { SavedLimit } from "@/lib/services/budgets";
import { useFormAction, type FormAction } from "../forms/useFormAction";
import { SubmitButton } from "../forms/SubmitButton";
import { UsdInput } from "../forms/UsdInput";

/** One monthly limit (the team's, or a member's) as an amount to change; empty removes it. */
export function LimitForm({
  action,
  scope,
  userId,
  label,
  limitUsd,
}: {
  action: FormAction<SavedLimit>;
  scope: "team" | "user";
  userId?: string;
  label: string;
  limitUsd: number | null;
}) {
  const { onSubmit, pending, fieldErrors, error, result } = useFormAction(action);
  const id = `limit-${scope}-${userId ?? "team"}`;
  const problem = fieldErrors.limitUsd ? `Limit ${fieldErrors.limitUsd}` : error;
  return (
    <form onSubmit={onSubmit} className="flex flex-wrap items-end gap-2" aria-label={`Monthly limit: ${label}`} data-limit-form={userId ?? "team"}>
      <input type="hidden" name="scope" value={scope} />
      {userId && <input type="hidden" name="userId" value={userId} />}
      <div className="min-w-0 flex-1 space-y-1">
        <label htmlFor={id} className="block text-xs font-medium text-zinc-300">
          {label} <span className="font-normal text-zinc-500">(USD a month; empty: no limit)</span>
        </label>
        <UsdInput id={id} defaultValue={limitUsd ?? ""} invalid={Boolean(problem)} />
      </div>
      <SubmitButton pending={pending} pendingText="Saving…" variant="secondary">
        Save
      </SubmitButton>
      {problem && (
        <p role="alert" data-form-error className="w-full text-xs text-red-400">
          {problem}
        </p>
      )}
      {result?.ok && !pending && <p className="w-full text-xs text-emerald-400">Saved.</p>}
    </form>
  );
}
