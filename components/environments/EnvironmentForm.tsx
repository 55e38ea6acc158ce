"use client";

import type { EnvironmentSpec } from "@/lib/contracts/environment";
import { describedBy, Field } from "../forms/Field";
import { FormError } from "../forms/FormError";
import { listFieldError } from "../forms/listFieldError";
import { SubmitButton } from "../forms/SubmitButton";
import { useFormAction, type FormAction } from "../forms/useFormAction";
import { inputClass } from "../ui/styles";
import { ChecksEditor, checkPhaseFields } from "./ChecksEditor";
import { SecretFilesEditor } from "./SecretFilesEditor";

const Mono = ({ children }: { children: React.ReactNode }) => <span className="font-mono text-zinc-300">{children}</span>;

function Section({ title, description, children }: { title: string; description: React.ReactNode; children: React.ReactNode }) {
  return (
    <fieldset className="space-y-4 border-t border-zinc-800 pt-5 first-of-type:border-t-0 first-of-type:pt-0">
      <legend className="float-left mb-3 w-full">
        <span className="block text-sm font-semibold text-zinc-100">{title}</span>
        <span className="mt-0.5 block text-xs text-zinc-400">{description}</span>
      </legend>
      <div className="clear-left space-y-4">{children}</div>
    </fieldset>
  );
}

/** A monospace text field of the form: a textarea (rows > 1) or a one-line input, tied to its error. */
function MonoField({
  name,
  label,
  hint,
  error,
  rows = 1,
  defaultValue,
  placeholder,
}: {
  name: string;
  label: string;
  hint: React.ReactNode;
  error?: string;
  rows?: number;
  defaultValue: string;
  placeholder: string;
}) {
  const id = `env-${name}`;
  const common = { id, name, defaultValue, placeholder, spellCheck: false, className: inputClass(!!error, true), ...describedBy(id, error) };
  return (
    <Field id={id} label={label} error={error} hint={hint}>
      {rows > 1 ? <textarea rows={rows} {...common} /> : <input autoComplete="off" {...common} />}
    </Field>
  );
}

/**
 * An admin's environment of one repository: the scripts, what the setup may reach and receive,
 * what keys the cache, the files the agent gets from secrets, and whether the repository's own
 * file may fill in. Saving replaces the whole setting.
 */
export function EnvironmentForm({
  repo,
  spec,
  action,
}: {
  repo: string;
  /** The settings as saved; null: none yet (the form shows the defaults). */
  spec: EnvironmentSpec | null;
  action: FormAction<{ updatedAt: string | null }>;
}) {
  const { onSubmit, pending, fieldErrors, error, result } = useFormAction(action);
  return (
    <form onSubmit={onSubmit} className="space-y-6" aria-label={`Environment of ${repo}`} data-testid="environment-form">
      <input type="hidden" name="repo" value={repo} />
      <FormError message={error} />

      <Section
        title="Scripts"
        description={
          <>
            Bash, run in the workspace inside the run&apos;s sandbox with <Mono>set -e -o pipefail</Mono>, before the agent starts. A failing setup fails the run with its output and exit code; nothing half-installed is kept.
          </>
        }
      >
        <MonoField
          name="setupScript"
          label="Setup script"
          rows={6}
          defaultValue={spec?.setupScript ?? ""}
          placeholder="npm ci"
          error={fieldErrors.setupScript}
          hint="Installs what the project needs, e.g. npm ci or pip install -r requirements.txt. Empty: no setup (unless the repository's file gives one)."
        />
        <MonoField
          name="maintenanceScript"
          label="Maintenance script (optional)"
          rows={3}
          defaultValue={spec?.maintenanceScript ?? ""}
          placeholder="npm install"
          error={fieldErrors.maintenanceScript}
          hint="Run instead of the setup on a cached environment made for other cache key files, to bring it up to date (e.g. npm install). Empty: such a run sets up from scratch."
        />
      </Section>

      <Section
        title="Network and variables of the setup"
        description="The setup only. The agent never gets these: its network is the repository's own network hosts (Repositories page), none by default."
      >
        <div className="grid gap-4 sm:grid-cols-2">
          <MonoField
            name="setupHosts"
            label="Hosts the setup may reach"
            rows={3}
            defaultValue={spec?.setupHosts.join("\n") ?? ""}
            placeholder={"registry.npmjs.org\npypi.org"}
            error={listFieldError(fieldErrors, "setupHosts")}
            hint={
              <>
                One per line: <Mono>host</Mono> (ports 80 and 443) or <Mono>host:port</Mono>, through the sandbox&apos;s filtering proxy. Empty: no network.
              </>
            }
          />
          <MonoField
            name="setupEnvNames"
            label="Variables the setup receives"
            defaultValue={spec?.setupEnvNames.join(" ") ?? ""}
            placeholder="NPM_TOKEN"
            error={listFieldError(fieldErrors, "setupEnvNames")}
            hint="NAMES of the job process's variables (e.g. NPM_TOKEN), separated by spaces or commas. A run fails clearly if one is not set."
          />
        </div>
      </Section>

      <Section
        title="Cache"
        description="Each job process keeps what the setup added that git does not track (node_modules, a virtualenv), and later runs start from a copy of it instead of setting up again."
      >
        <MonoField
          name="cacheKeyFiles"
          label="Cache key files"
          rows={2}
          defaultValue={spec?.cacheKeyFiles.join("\n") ?? ""}
          placeholder="package-lock.json"
          error={listFieldError(fieldErrors, "cacheKeyFiles")}
          hint="One path per line, e.g. package-lock.json: the cache is reused while their contents at the base commit are unchanged. Empty: one cache per base commit."
        />
      </Section>

      <Section
        title="Files from secrets"
        description={
          <>
            Written into the workspace for the agent after the setup (e.g. <Mono>.env</Mono> ← <Mono>APP_DOTENV</Mono>), readable only inside the run&apos;s sandbox. Never cached and never committed: a commit that would contain one is refused.
          </>
        }
      >
        <SecretFilesEditor initial={spec?.files ?? []} fieldErrors={fieldErrors} idPrefix="env" />
      </Section>

      <Section
        title="Checks (repository hooks)"
        description={
          <>
            Commands run in the run&apos;s sandbox (bash, <Mono>set -e -o pipefail</Mono>), each as its own step in the feed with its output, exit code and time. They never get the model key or the repository&apos;s credential.
          </>
        }
      >
        {checkPhaseFields.map((p) => (
          <ChecksEditor key={p.phase} {...p} initial={spec?.checks[p.phase] ?? []} fieldErrors={fieldErrors} />
        ))}
        <div className="grid gap-4 sm:grid-cols-2">
          <MonoField
            name="checkHosts"
            label="Hosts the checks may reach"
            rows={2}
            defaultValue={spec?.checkHosts.join("\n") ?? ""}
            placeholder="registry.npmjs.org"
            error={listFieldError(fieldErrors, "checkHosts")}
            hint="One per line, as for the setup. Empty: no network."
          />
          <MonoField
            name="checkEnvNames"
            label="Variables the checks receive"
            defaultValue={spec?.checkEnvNames.join(" ") ?? ""}
            placeholder="TEST_DATABASE_URL"
            error={listFieldError(fieldErrors, "checkEnvNames")}
            hint="NAMES of the job process's variables, separated by spaces or commas; masked in the output. Never the repository's credential."
          />
        </div>
      </Section>

      <Section
        title="The repository's own file"
        description={
          <>
            A repository may keep its scripts, cache key files and checks in <Mono>.agentdesk/environment.json</Mono>. Hosts, variables and files come only from here.
          </>
        }
      >
        <label className="flex items-start gap-3 text-sm text-zinc-200">
          <input
            type="checkbox"
            name="useRepositoryFile"
            defaultChecked={spec?.useRepositoryFile ?? true}
            className="mt-0.5 size-4 rounded border-zinc-600 bg-zinc-950 accent-indigo-500"
          />
          <span>
            Use the repository&apos;s <Mono>.agentdesk/environment.json</Mono> for what is left empty here
            <span className="block text-xs text-zinc-500">What you set here always wins.</span>
          </span>
        </label>
      </Section>

      <div className="flex flex-wrap items-center justify-end gap-3 border-t border-zinc-800 pt-5">
        {result?.ok && (
          <p role="status" className="mr-auto text-sm text-emerald-300">
            Saved. Runs created from now on use it; runs already queued keep the one they were created with.
          </p>
        )}
        <SubmitButton pending={pending} pendingText="Saving…">
          Save environment
        </SubmitButton>
      </div>
    </form>
  );
}
