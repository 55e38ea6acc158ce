"use client";

import { ruleEffects, MAX_PATTERN_LENGTH } from "@/lib/approval/rules";
import { describedBy, Field } from "../forms/Field";
import { FormError } from "../forms/FormError";
import { SubmitButton } from "../forms/SubmitButton";
import { useFormAction, type FormAction } from "../forms/useFormAction";
import { useResetOnSuccess } from "../forms/useResetOnSuccess";
import { inputClass } from "../ui/styles";

/** Adds a rule to one scope: the user's own, or (with `repo`) a repository's. */
export function RuleForm({ action, repo }: { action: FormAction<null>; repo?: string }) {
  const { onSubmit, pending, fieldErrors, error, result } = useFormAction(action);
  const form = useResetOnSuccess(result);
  const id = (name: string) => (repo ? `${name}-${repo}` : name);
  return (
    <form ref={form} onSubmit={onSubmit} className="space-y-3" aria-label={repo ? `Add a rule to ${repo}` : "Add a rule of your own"}>
      <FormError message={error} />
      {repo && <input type="hidden" name="repo" value={repo} />}
      <div className="flex flex-col gap-3 sm:flex-row sm:items-start">
        <Field id={id("pattern")} label="Command or tool pattern" error={fieldErrors.pattern} hint={
            <>
              <code className="font-mono">*</code> matches any text, e.g. <code className="font-mono">git push *</code> or{" "}
              <code className="font-mono">mcp__github__*</code>
            </>
          } className="flex-1">
          <input
            id={id("pattern")}
            name="pattern"
            maxLength={MAX_PATTERN_LENGTH}
            autoComplete="off"
            spellCheck={false}
            className={inputClass(!!fieldErrors.pattern, true)}
            placeholder="npm test"
            {...describedBy(id("pattern"), fieldErrors.pattern)}
          />
        </Field>
        <Field id={id("effect")} label="Effect" error={fieldErrors.effect} className="sm:w-32">
          <select id={id("effect")} name="effect" defaultValue="ask" className={inputClass(!!fieldErrors.effect)} {...describedBy(id("effect"), fieldErrors.effect)}>
            {ruleEffects.map((e) => (
              <option key={e} value={e}>
                {e}
              </option>
            ))}
          </select>
        </Field>
        <SubmitButton pending={pending} pendingText="Adding…" className="sm:mt-7">
          Add rule
        </SubmitButton>
      </div>
    </form>
  );
}
