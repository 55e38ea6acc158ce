"use client";

import { describedBy, Field } from "../forms/Field";
import { FormError } from "../forms/FormError";
import { SubmitButton } from "../forms/SubmitButton";
import { useFormAction, type FormAction } from "../forms/useFormAction";
import { inputClass } from "../ui/styles";
import type { RepoView } from "@/lib/services/repos";

/**
 * An admin's edit of a registered repository: what registration takes, except the network
 * hosts (their own form beside it). Runs already queued keep what they were created with.
 */
export function RepoEditForm({ repo, action }: { repo: RepoView; action: FormAction<{ name: string }> }) {
  const { onSubmit, pending, fieldErrors, error, result } = useFormAction(action);
  const id = (field: string) => `${field}-edit-${repo.id}`;
  return (
    <form onSubmit={onSubmit} className="space-y-3" data-testid="repo-edit-form" data-repo-edit-of={repo.name}>
      <input type="hidden" name="repo" value={repo.name} />
      <FormError message={error} />
      {result?.ok && (
        <p role="status" className="text-xs text-emerald-300">
          Saved. New runs use it from now on; runs already queued keep what they started with.
        </p>
      )}
      <div className="grid gap-3 sm:grid-cols-2">
        <Field id={id("name")} label="Name" error={fieldErrors.name}>
          <input id={id("name")} name="name" required defaultValue={repo.name} className={inputClass(!!fieldErrors.name)} {...describedBy(id("name"), fieldErrors.name)} />
        </Field>
        <Field id={id("defaultBranch")} label="Default branch" error={fieldErrors.defaultBranch}>
          <input
            id={id("defaultBranch")}
            name="defaultBranch"
            required
            defaultValue={repo.defaultBranch}
            className={inputClass(!!fieldErrors.defaultBranch, true)}
            {...describedBy(id("defaultBranch"), fieldErrors.defaultBranch)}
          />
        </Field>
      </div>
      <Field id={id("url")} label="Git URL" error={fieldErrors.url} hint="A new URL gets a fresh mirror on the job processes.">
        <input id={id("url")} name="url" required defaultValue={repo.url} className={inputClass(!!fieldErrors.url, true)} {...describedBy(id("url"), fieldErrors.url)} />
      </Field>
      <div className="grid gap-3 sm:grid-cols-2">
        <Field id={id("credentialEnv")} label="Credential variable" error={fieldErrors.credentialEnv} hint="Name of the job process's variable; empty: none.">
          <input
            id={id("credentialEnv")}
            name="credentialEnv"
            defaultValue={repo.credentialEnv ?? ""}
            placeholder="GITHUB_TOKEN"
            className={inputClass(!!fieldErrors.credentialEnv, true)}
            {...describedBy(id("credentialEnv"), fieldErrors.credentialEnv)}
          />
        </Field>
        <Field id={id("githubRepo")} label="GitHub repository" error={fieldErrors.githubRepo} hint="owner/name for pull requests; empty: none.">
          <input
            id={id("githubRepo")}
            name="githubRepo"
            defaultValue={repo.githubRepo ?? ""}
            placeholder="acme/web-app"
            className={inputClass(!!fieldErrors.githubRepo, true)}
            {...describedBy(id("githubRepo"), fieldErrors.githubRepo)}
          />
        </Field>
      </div>
      <div className="flex justify-end">
        <SubmitButton pending={pending} pendingText="Saving…">
          Save changes
        </SubmitButton>
      </div>
    </form>
  );
}
