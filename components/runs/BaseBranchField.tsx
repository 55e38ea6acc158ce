"use client";

import useSWR from "swr";
import type { RepoBranches } from "@/lib/services/repoBranches";
import { describedBy, Field } from "../forms/Field";
import { inputClass } from "../ui/styles";
import { ChoiceOrText } from "./ChoiceOrText";
import { fetchJson } from "./fetchJson";

/**
 * The base branch: the repository's branches to pick from (GET /api/repos/:name/branches,
 * cached by SWR per repository), the default first; "Other branch…" types one. While the list
 * loads, or when it cannot be read, a text box takes the name, and the hint says why.
 */
export function BaseBranchField({
  repo,
  defaultBranch,
  value,
  onChange,
  error,
}: {
  repo: string;
  defaultBranch: string;
  /** Empty: the repository's default branch. */
  value: string;
  onChange: (value: string) => void;
  error?: string;
}) {
  const { data, error: loadError, isLoading } = useSWR(repo ? `/api/repos/${encodeURIComponent(repo)}/branches` : null, (url: string) => fetchJson<RepoBranches>(url), {
    revalidateOnFocus: false,
  });
  const listed = data && data.source !== null && data.branches.length > 0;
  const problem = loadError ? (loadError as Error).message : data?.source === null ? data.error : undefined;
  const hint = isLoading
    ? "Listing the repository's branches…"
    : problem
      ? `Type the branch name (${problem}). Empty: the default (${defaultBranch}).`
      : `Empty: the repository's default (${defaultBranch}).`;

  return (
    <Field id="baseBranch" label="Base branch" error={error} hint={listed ? `The run starts from this branch; ${data.branches.length} on the remote.` : hint}>
      {listed ? (
        <ChoiceOrText
          id="baseBranch"
          name="baseBranch"
          // "" is the default branch: the form then leaves the field out and the server picks it.
          choices={[
            { value: "", label: `${defaultBranch} (default)` },
            ...data.branches.filter((b) => b !== defaultBranch).map((b) => ({ value: b, label: b })),
          ]}
          value={value === defaultBranch ? "" : value}
          onChange={onChange}
          otherLabel="Other branch…"
          placeholder="branch name"
          error={error}
          mono
        />
      ) : (
        <input
          id="baseBranch"
          name="baseBranch"
          value={value}
          onChange={(e) => onChange(e.target.value)}
          placeholder={defaultBranch}
          autoComplete="off"
          spellCheck={false}
          className={inputClass(!!error, true)}
          {...describedBy("baseBranch", error)}
        />
      )}
    </Field>
  );
}
