"use client";

import Link from "next/link";
import { useEffect, useState } from "react";
import type { RunDiffView } from "@/lib/services/runs";
import { shortSha } from "../format";
import { fetchJson } from "../runs/fetchJson";
import { Card } from "../ui/Card";
import { DiffViewer } from "./DiffViewer";

// About 20 s of asking before a missing diff is reported as an error.
const DIFF_RETRIES = 12;

/** The run's changes on its page, loaded when a diff is ready (and again when a new one is). */
export function DiffPanel({ runId, version, reportReady = false }: { runId: string; version: string; reportReady?: boolean }) {
  const [diff, setDiff] = useState<RunDiffView | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const abort = new AbortController();
    // The live feed announces a diff (from Redis) a moment before the recorder has stored it:
    // until the stored diff is this version, the API answers 409 or the previous round's diff.
    // Ask again with a growing pause rather than show an error or a stale diff.
    const load = async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          const d = await fetchJson<RunDiffView>(`/api/runs/${runId}/diff`, abort.signal);
          if (d.headSha === version || attempt >= DIFF_RETRIES) {
            setDiff(d);
            setError(null);
            return;
          }
        } catch (err) {
          if (abort.signal.aborted) return;
          if ((err as { status?: number }).status !== 409 || attempt >= DIFF_RETRIES) {
            setError((err as Error).message);
            return;
          }
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** attempt, 2_000)));
        if (abort.signal.aborted) return;
      }
    };
    void load();
    return () => abort.abort();
  }, [runId, version]);

  return (
    <Card
      title="Changes"
      description={diff && <DiffSummary diff={diff} />}
      actions={
        <div className="flex items-center gap-3 text-xs font-medium">
          <Link href={`/runs/${runId}/review`} className="text-indigo-300 hover:underline">
            Full-width review
          </Link>
          <a href={`/api/runs/${runId}/diff?format=patch`} className="text-indigo-300 hover:underline" download={`${runId}.patch`}>
            Download .patch
          </a>
          {reportReady && (
            <a href={`/api/runs/${runId}/report`} className="text-indigo-300 hover:underline" download data-testid="diff-download-report">
              Download report
            </a>
          )}
        </div>
      }
    >
      {error ? (
        <p className="text-sm text-red-300">Could not load the diff: {error}</p>
      ) : diff ? (
        <DiffViewer diff={diff} />
      ) : (
        <p className="text-sm text-zinc-400">Loading the diff…</p>
      )}
    </Card>
  );
}

export function DiffSummary({ diff }: { diff: RunDiffView }) {
  return (
    <>
      {diff.files.length} {diff.files.length === 1 ? "file" : "files"} changed,{" "}
      <span className="text-emerald-400">+{diff.additions}</span> <span className="text-red-400">−{diff.deletions}</span> ·{" "}
      <span className="font-mono">
        {shortSha(diff.baseSha)}…{shortSha(diff.headSha)}
      </span>
    </>
  );
}
