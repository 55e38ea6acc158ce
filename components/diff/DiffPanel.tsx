"use client";

import Link from "next/link";
import { useEffect, useState } from "react";
import type { RunDiffView } from "@/lib/services/runs";
import { shortSha } from "../format";
import { fetchJson } from "../runs/fetchJson";
import { Card } from "../ui/Card";
import { DiffViewer } from "./DiffViewer";

/** The run's changes on its page, loaded when a diff is ready (and again when a new one is). */
export function DiffPanel({ runId, version }: { runId: string; version: string }) {
  const [diff, setDiff] = useState<RunDiffView | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const abort = new AbortController();
    fetchJson<RunDiffView>(`/api/runs/${runId}/diff`, abort.signal)
      .then((d) => {
        setDiff(d);
        setError(null);
      })
      .catch((err: Error) => {
        if (!abort.signal.aborted) setError(err.message);
      });
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
