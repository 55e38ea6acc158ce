/** Links that save the run's conversation (JSON) and its log (text). */
export function RunDownloads({ runId }: { runId: string }) {
  const link = "text-indigo-300 underline-offset-2 hover:text-indigo-200 hover:underline";
  return (
    <span className="flex gap-3">
      <a href={`/api/runs/${runId}/transcript?download=1`} download className={link}>
        Transcript
      </a>
      <a href={`/api/runs/${runId}/log?download=1`} download className={link}>
        Log
      </a>
    </span>
  );
}
