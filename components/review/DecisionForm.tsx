"use client";

import { useEffect, useId } from "react";
import type { ReviewAction } from "@/lib/db/schema";
import type { DecisionView } from "@/lib/services/reviewHistory";
import { useFormAction, type FormAction } from "../forms/useFormAction";
import { buttonClass, type ButtonVariant } from "../ui/styles";

export type ReviewFormAction = FormAction<DecisionView>;

/** One decision button (with its hidden fields and any extra inputs), submitting the review action. */
export function DecisionForm({
  runId,
  action,
  decide,
  onDecided,
  label,
  pendingLabel,
  variant = "secondary",
  pullRequest = false,
  acknowledgeFailedChecks = false,
  disabled = false,
  disabledReason,
  children,
}: {
  runId: string;
  action: ReviewAction;
  decide: ReviewFormAction;
  onDecided: (d: DecisionView) => void;
  label: string;
  pendingLabel: string;
  variant?: ButtonVariant;
  pullRequest?: boolean;
  /** A push the reviewer confirmed over failed checks. */
  acknowledgeFailedChecks?: boolean;
  disabled?: boolean;
  /** Why the button is disabled (its tooltip and accessible description). */
  disabledReason?: string;
  children?: React.ReactNode;
}) {
  const { onSubmit, pending, error, fieldErrors, result } = useFormAction(decide);
  const decided = result?.ok ? result.data : null;
  useEffect(() => {
    if (decided) onDecided(decided);
  }, [decided, onDecided]);
  const fieldError = Object.values(fieldErrors)[0];
  const reasonId = useId();
  return (
    <form onSubmit={onSubmit} className="space-y-2" data-review-form={action}>
      <input type="hidden" name="id" value={runId} />
      <input type="hidden" name="action" value={action} />
      {pullRequest && <input type="hidden" name="pullRequest" value="1" />}
      {acknowledgeFailedChecks && <input type="hidden" name="acknowledgeFailedChecks" value="1" />}
      {children}
      <button
        type="submit"
        disabled={pending || disabled || decided !== null}
        title={disabled ? disabledReason : undefined}
        aria-describedby={disabled && disabledReason ? reasonId : undefined}
        className={buttonClass(variant)}
      >
        {pending ? pendingLabel : label}
      </button>
      {disabled && disabledReason && (
        <span id={reasonId} className="sr-only">
          {disabledReason}
        </span>
      )}
      {(fieldError || error) && (
        <p role="alert" className="text-sm text-red-300">
          {fieldError ?? error}
        </p>
      )}
    </form>
  );
}
