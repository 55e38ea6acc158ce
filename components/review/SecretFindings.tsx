import type { SecretFinding } from "@/lib/events";
import { describeFinding } from "@/lib/secretFindings";

/**
 * Push protection's findings above the decisions: the diff shows secrets masked as `***`,
 * so this is how a reviewer learns the commit holds one. Never the value, only where.
 */
export function SecretFindings({ findings, canRequestChanges }: { findings: readonly SecretFinding[]; canRequestChanges: boolean }) {
  return (
    <div role="alert" data-testid="secret-findings" className="space-y-1 rounded-lg border border-red-800 bg-red-950/50 px-3 py-2 text-sm text-red-200">
      <ul className="space-y-1">
        {findings.map((f) => (
          <li key={`${f.file}:${f.line}:${f.secret}`} data-secret-finding={`${f.file}:${f.line}`}>
            <span className="font-semibold">Push blocked:</span> <span className="break-all">{describeFinding(f)}</span>
          </li>
        ))}
      </ul>
      <p className="text-xs text-red-300/80">
        The diff shows it masked as ***; the commit holds the real value.{" "}
        {canRequestChanges
          ? "Request changes to have it removed (a new, clean diff unblocks Push), or discard the run."
          : "Discard the run, and start a new one that does not write it."}
      </p>
    </div>
  );
}
