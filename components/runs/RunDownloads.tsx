import type { RunStatus } from "@/lib/contracts/runLifecycle";
import { hasRunReport } from "@/lib/runReport";

/** Links that save the run's conversation (JSON), its log (text) and, once its work is over, its report (Markdown). */
export function RunDownloads({ runId, status }: { runId: string; status: RunStatus }) {
  const link = "text-indigo-300 underline-offset-2 hover:text-indigo-200 hover:underline";
  return (
    <span className="flex flex-wrap gap-x-3">
      <a href={`/api/runs/${runId}/transcript?download=1`} download className={link}>
        Transcript
      </a>
      <a href={`/api/runs/${runId}/log?download=1`} download className={link}>
        Log
      </a>
      {hasRunReport(status) && (
        <a href={`/api/runs/${runId}/report`} download data-testid="download-report" className={link}>
          Report
        </a>
      )}
    </span>
  );
}
