"use client";

import { useEffect, useState } from "react";
import type { RunDiffView } from "@/lib/services/runs";
import { shortSha } from "../format";
import { fetchJson } from "../runs/fetchJson";
import { Card } from "../ui/Card";
import { PatchView } from "./PatchView";
import { splitPatch } from "./splitPatch";

const statusLetter: Record<string, string> = { added: "A", modified: "M", deleted: "D", renamed: "R", copied: "C", type_changed: "T" };

/** The run's changes: files with their counts, then each file's patch. Loaded when a diff is ready. */
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

  if (error) {
    return (
      <Card title="Changes">
        <p className="text-sm text-red-300">Could not load the diff: {error}</p>
      </Card>
    );
  }
  if (!diff) {
    return (
      <Card title="Changes">
        <p className="text-sm text-zinc-400">Loading the diff…</p>
      </Card>
    );
  }
  const sections = splitPatch(diff.patch);
  return (
    <Card
      title="Changes"
      description={
        <>
          {diff.files.length} {diff.files.length === 1 ? "file" : "files"} changed,{" "}
          <span className="text-emerald-400">+{diff.additions}</span> <span className="text-red-400">−{diff.deletions}</span> ·{" "}
          <span className="font-mono">{shortSha(diff.baseSha)}…{shortSha(diff.headSha)}</span>
        </>
      }
      actions={
        <a href={`/api/runs/${runId}/diff?format=patch`} className="text-xs font-medium text-indigo-300 hover:underline" download={`${runId}.patch`}>
          Download .patch
        </a>
      }
    >
      <div data-testid="diff-panel" className="space-y-4">
        {diff.files.length === 0 ? (
          <p className="text-sm text-zinc-400">The run changed no files.</p>
        ) : (
          <ul className="divide-y divide-zinc-800 rounded-lg border border-zinc-800">
            {diff.files.map((f) => (
              <li key={f.path} data-diff-file={f.path} className="flex items-center gap-3 px-3 py-2 text-sm">
                <span className="w-4 font-mono text-xs text-zinc-500" title={f.status}>{statusLetter[f.status] ?? "?"}</span>
                <a href={`#diff-${encodeURIComponent(f.path)}`} className="min-w-0 flex-1 truncate font-mono text-zinc-200 hover:text-indigo-300">
                  {f.oldPath && f.oldPath !== f.path ? `${f.oldPath} → ${f.path}` : f.path}
                </a>
                {f.binary ? (
                  <span className="text-xs text-zinc-500">binary</span>
                ) : (
                  <span className="shrink-0 font-mono text-xs">
                    <span className="text-emerald-400">+{f.additions}</span> <span className="text-red-400">−{f.deletions}</span>
                  </span>
                )}
              </li>
            ))}
          </ul>
        )}
        {sections.map((s) => (
          <div key={s.path} id={`diff-${encodeURIComponent(s.path)}`} className="overflow-hidden rounded-lg border border-zinc-800">
            <p className="border-b border-zinc-800 bg-zinc-900 px-3 py-1.5 font-mono text-xs text-zinc-300">{s.path}</p>
            <PatchView lines={s.lines.slice(1)} />
          </div>
        ))}
        {diff.truncated && <p className="text-xs text-amber-300">The diff is too large to show in full; download the patch for all of it.</p>}
      </div>
    </Card>
  );
}
