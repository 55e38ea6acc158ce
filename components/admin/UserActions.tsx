"use client";

import type { ResetLink } from "@/lib/services/passwordReset";
import { ActionButton } from "../forms/ActionButton";
import { ConfirmDeleteButton } from "../forms/ConfirmDeleteButton";
import { useFormAction, type FormAction } from "../forms/useFormAction";
import { CopyButton } from "../ui/CopyButton";
import { buttonClass } from "../ui/styles";
import { Time } from "../ui/Time";

export type UserActionSet = {
  setRole: FormAction<null>;
  setDisabled: FormAction<null>;
  remove: FormAction<null>;
  resetLink: FormAction<ResetLink>;
};

function ResetLinkButton({ id, action }: { id: string; action: FormAction<ResetLink> }) {
  const { onSubmit, pending, error, result } = useFormAction(action);
  return (
    <div className="flex w-full flex-col gap-2">
      <form onSubmit={onSubmit}>
        <input type="hidden" name="id" value={id} />
        <button type="submit" disabled={pending} className={buttonClass("secondary", "sm")} data-testid="user-reset-link">
          {pending ? "Creating…" : "Password reset link"}
        </button>
      </form>
      {error && (
        <p role="alert" className="text-xs text-red-300">
          {error}
        </p>
      )}
      {result?.ok && (
        <div role="status" data-testid="new-reset-link" className="space-y-2 rounded-lg border border-emerald-700/70 bg-emerald-950/40 p-3">
          <p className="text-xs text-emerald-200">
            Give this link to {result.data.email}; it will not be shown again. It works once, until <Time iso={result.data.expiresAt} />, and
            replaces any earlier link. Setting the password ends their sessions.
          </p>
          <div className="flex items-center gap-2">
            <code className="min-w-0 flex-1 truncate rounded-md bg-black px-2 py-1.5 font-mono text-xs text-emerald-100 ring-1 ring-emerald-900" data-reset-url>
              {result.data.url}
            </code>
            <CopyButton value={result.data.url} />
          </div>
        </div>
      )}
    </div>
  );
}

/** What an admin can do to an account; nobody disables or removes their own. */
export function UserActions({
  user,
  self,
  actions,
}: {
  user: { id: string; email: string; role: "admin" | "user"; disabled: boolean; runs: number; unfinishedRuns: number };
  self: boolean;
  actions: UserActionSet;
}) {
  const removeQuestion = [
    `Remove the account ${user.email}?`,
    user.unfinishedRuns > 0
      ? `It has ${user.unfinishedRuns} unfinished run(s): the removal is refused until they are cancelled or finished.`
      : null,
    `Its ${user.runs} run(s) (with their events and diffs), schedules, API tokens and approval rules are deleted. Decisions it took on other people's runs stay, under its email.`,
    "To keep its runs, disable the account instead.",
  ]
    .filter(Boolean)
    .join("\n\n");
  return (
    <div className="flex flex-wrap items-start gap-2">
      <ActionButton
        fields={{ id: user.id, role: user.role === "admin" ? "user" : "admin" }}
        action={actions.setRole}
        label={user.role === "admin" ? "Make user" : "Make admin"}
        pendingLabel="Saving…"
        testId="user-role"
      />
      {!self && (
        <ActionButton
          fields={{ id: user.id, disabled: user.disabled ? "false" : "true" }}
          action={actions.setDisabled}
          label={user.disabled ? "Enable" : "Disable"}
          pendingLabel={user.disabled ? "Enabling…" : "Disabling…"}
          confirm={user.disabled ? undefined : `Disable ${user.email}? Their sessions end now, their API tokens stop working and they cannot sign in until enabled again. Their runs are kept.`}
          testId="user-disable"
        />
      )}
      {!self && <ConfirmDeleteButton fields={{ id: user.id }} confirm={removeQuestion} label={`Remove ${user.email}`} action={actions.remove} />}
      <ResetLinkButton id={user.id} action={actions.resetLink} />
    </div>
  );
}
