"use client";

import { describedBy, Field } from "../forms/Field";
import { FormError } from "../forms/FormError";
import { SubmitButton } from "../forms/SubmitButton";
import { useFormAction, type FormAction } from "../forms/useFormAction";
import { useResetOnSuccess } from "../forms/useResetOnSuccess";
import { inputClass } from "../ui/styles";

export function RepoForm({ action, allowLocal }: { action: FormAction<{ name: string }>; allowLocal: boolean }) {
  const { onSubmit, pending, fieldErrors, error, result } = useFormAction(action);
  const form = useResetOnSuccess(result);
  // Each host's error comes back under networkHosts.<index>.
  const hostsError = Object.entries(fieldErrors).find(([field]) => field.startsWith("networkHosts"))?.[1];
  return (
    <form ref={form} onSubmit={onSubmit} className="space-y-4">
      <FormError message={error} />
      {result?.ok && (
        <p role="status" className="rounded-lg border border-emerald-900/70 bg-emerald-950/40 px-3.5 py-2.5 text-sm text-emerald-200">
          Registered <span className="font-mono">{result.data.name}</span>. It can be chosen for new runs now.
        </p>
      )}
      <div className="grid gap-4 sm:grid-cols-2">
        <Field id="name" label="Name" error={fieldErrors.name} hint="How people pick it in the New run form, e.g. web-app.">
          <input id="name" name="name" className={inputClass(!!fieldErrors.name)} placeholder="web-app" {...describedBy("name", fieldErrors.name)} />
        </Field>
        <Field id="defaultBranch" label="Default branch" error={fieldErrors.defaultBranch} hint="Runs start from it unless told otherwise.">
          <input id="defaultBranch" name="defaultBranch" className={inputClass(!!fieldErrors.defaultBranch, true)} placeholder="main" {...describedBy("defaultBranch", fieldErrors.defaultBranch)} />
        </Field>
      </div>
      <Field
        id="url"
        label="Git URL"
        error={fieldErrors.url}
        hint={allowLocal ? "https://, ssh://, git@host:owner/repo.git, or a local path (allowed on this install)." : "https://, ssh:// or git@host:owner/repo.git. Never put a token in the URL."}
      >
        <input id="url" name="url" className={inputClass(!!fieldErrors.url, true)} placeholder="https://github.com/acme/web-app.git" {...describedBy("url", fieldErrors.url)} />
      </Field>
      <Field
        id="credentialEnv"
        label="Credential variable (optional)"
        error={fieldErrors.credentialEnv}
        hint="The NAME of an environment variable of the job process holding a token for this remote, e.g. GITHUB_TOKEN. The value never enters the database."
      >
        <input id="credentialEnv" name="credentialEnv" className={inputClass(!!fieldErrors.credentialEnv, true)} placeholder="GITHUB_TOKEN" {...describedBy("credentialEnv", fieldErrors.credentialEnv)} />
      </Field>
      <Field
        id="githubRepo"
        label="GitHub repository (optional)"
        error={fieldErrors.githubRepo}
        hint="owner/name, for opening pull requests. Found from github.com URLs by itself; set it for a mirror or GitHub Enterprise."
      >
        <input id="githubRepo" name="githubRepo" className={inputClass(!!fieldErrors.githubRepo, true)} placeholder="acme/web-app" {...describedBy("githubRepo", fieldErrors.githubRepo)} />
      </Field>
      <Field
        id="networkHosts"
        label="Network hosts (optional)"
        error={hostsError}
        hint="Hosts runs on it may reach through the sandbox's proxy, one per line: host (ports 80 and 443) or host:port, e.g. registry.npmjs.org. Empty: no network."
      >
        <textarea id="networkHosts" name="networkHosts" rows={2} className={inputClass(!!hostsError, true)} placeholder="registry.npmjs.org" {...describedBy("networkHosts", hostsError)} />
      </Field>
      <div className="flex justify-end">
        <SubmitButton pending={pending} pendingText="Registering…">
          Register repository
        </SubmitButton>
      </div>
    </form>
  );
}
