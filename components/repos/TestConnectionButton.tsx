"use client";

import type { RepoCheckView } from "@/lib/services/repos";
import { useFormAction, type FormAction } from "../forms/useFormAction";
import { buttonClass } from "../ui/styles";

function Outcome({ check }: { check: RepoCheckView }) {
  if (!check.ok) {
    return (
      <div role="alert" data-testid="repo-test-result" data-ok="false" className="space-y-1 rounded-lg border border-red-900/70 bg-red-950/40 p-3 text-sm text-red-200">
        <p className="font-medium">Could not reach {check.url}</p>
        {check.credentialMissing && (
          <p className="text-xs">
            The job process {check.worker} has no variable <span className="font-mono">{check.credentialEnv}</span> set.
          </p>
        )}
        {check.error && <pre className="max-h-40 overflow-auto font-mono text-xs whitespace-pre-wrap text-red-100">{check.error}</pre>}
      </div>
    );
  }
  return (
    <p role="status" data-testid="repo-test-result" data-ok="true" className="rounded-lg border border-emerald-900/70 bg-emerald-950/40 p-3 text-sm text-emerald-200">
      Connected from {check.worker} in {check.durationMs} ms: {check.branches} branch{check.branches === 1 ? "" : "es"}
      {check.defaultBranchFound ? (
        <>
          , including the default branch <span className="font-mono">{check.defaultBranch}</span>.
        </>
      ) : (
        <span className="text-amber-200">
          {" "}
          but no <span className="font-mono">{check.defaultBranch}</span>: runs on the default branch would fail.
        </span>
      )}
    </p>
  );
}

/**
 * "Test connection": a job process lists the remote's branches with the repository's
 * credential (the web has none) and the result, or git's own error, is shown here.
 */
export function TestConnectionButton({ repo, action }: { repo: string; action: FormAction<RepoCheckView> }) {
  const { onSubmit, pending, error, result } = useFormAction(action);
  return (
    <form onSubmit={onSubmit} className="space-y-2">
      <input type="hidden" name="repo" value={repo} />
      <button type="submit" disabled={pending} className={buttonClass("secondary", "sm")}>
        {pending ? "Testing…" : "Test connection"}
      </button>
      {error && (
        <p role="alert" data-testid="repo-test-result" data-ok="false" className="text-sm text-red-300">
          {error}
        </p>
      )}
      {result?.ok && <Outcome check={result.data} />}
    </form>
  );
}
