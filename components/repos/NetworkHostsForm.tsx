"use client";

import { FormError } from "../forms/FormError";
import { SubmitButton } from "../forms/SubmitButton";
import { useFormAction, type FormAction } from "../forms/useFormAction";
import { inputClass } from "../ui/styles";

/**
 * An admin's list of hosts a repository's runs may reach through the sandbox's proxy. Empty:
 * no network at all. The list replaces the previous one.
 */
export function NetworkHostsForm({
  repo,
  hosts,
  action,
}: {
  repo: string;
  hosts: string[];
  action: FormAction<{ networkHosts: string[] }>;
}) {
  const { onSubmit, pending, fieldErrors, error, result } = useFormAction(action);
  const id = `networkHosts-${repo}`;
  // Each entry's error comes back under networkHosts.<index>.
  const hostError = Object.entries(fieldErrors).find(([path]) => path.startsWith("networkHosts"))?.[1];
  return (
    <form onSubmit={onSubmit} className="space-y-2" data-testid="network-hosts-form" data-network-hosts-of={repo}>
      <input type="hidden" name="name" value={repo} />
      <label htmlFor={id} className="block text-xs font-medium text-zinc-400">
        Network hosts runs may reach (one per line, <span className="font-mono">host</span> for ports 80/443 or{" "}
        <span className="font-mono">host:port</span>; empty: no network)
      </label>
      <textarea
        id={id}
        name="networkHosts"
        rows={2}
        defaultValue={hosts.join("\n")}
        className={inputClass(!!hostError, true)}
        placeholder="registry.npmjs.org"
        aria-invalid={hostError ? true : undefined}
      />
      {hostError && (
        <p role="alert" className="text-sm text-red-400">
          {hostError}
        </p>
      )}
      <FormError message={hostError ? null : error} />
      {result?.ok && (
        <p role="status" className="text-xs text-emerald-300">
          Saved: {result.data.networkHosts.length ? result.data.networkHosts.join(", ") : "no network"}.
        </p>
      )}
      <div className="flex justify-end">
        <SubmitButton pending={pending} pendingText="Saving…">
          Save hosts
        </SubmitButton>
      </div>
    </form>
  );
}
