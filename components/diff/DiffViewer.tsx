"use client";

import { useMemo, useState } from "react";
import type { RunDiffView } from "@/lib/services/runs";
import { cx } from "../ui/cx";
import { Counts, FileDiffView, FileName, fileAnchor } from "./FileDiffView";
import { pairFilesWithPatch, type FileDiff } from "./patchSections";
import { useDiffMode, type DiffMode } from "./useDiffMode";

/** Files rendered per page: a diff of hundreds of files stays responsive. */
export const FILES_PER_PAGE = 25;

function ModeToggle({ mode, onChange }: { mode: DiffMode; onChange: (m: DiffMode) => void }) {
  return (
    <div role="group" aria-label="Diff layout" className="inline-flex rounded-lg border border-zinc-700 p-0.5 text-xs">
      {(["unified", "split"] as const).map((m) => (
        <button
          key={m}
          type="button"
          aria-pressed={mode === m}
          data-diff-mode={m}
          onClick={() => onChange(m)}
          className={cx("rounded-md px-2.5 py-1 font-medium capitalize", mode === m ? "bg-zinc-700 text-zinc-50" : "text-zinc-400 hover:text-zinc-200")}
        >
          {m}
        </button>
      ))}
    </div>
  );
}

function FileList({ files, onJump }: { files: FileDiff[]; onJump: (f: FileDiff) => void }) {
  return (
    <ul className="max-h-80 divide-y divide-zinc-800 overflow-y-auto rounded-lg border border-zinc-800">
      {files.map((f) => (
        <li key={f.index} data-diff-file={f.path}>
          <a
            href={`#${fileAnchor(f)}`}
            onClick={(e) => {
              e.preventDefault();
              onJump(f);
            }}
            className="flex items-center gap-3 px-3 py-2 text-sm hover:bg-zinc-800/60"
          >
            <FileName file={f} />
            <Counts file={f} />
          </a>
        </li>
      ))}
    </ul>
  );
}

/**
 * The run's changes: the list of files (click to jump), a unified/split switch that is
 * remembered, then each file's diff, a page of files at a time.
 */
export function DiffViewer({ diff }: { diff: RunDiffView }) {
  const files = useMemo(() => pairFilesWithPatch(diff.files, diff.patch, diff.truncated), [diff]);
  const [mode, setMode] = useDiffMode();
  const [page, setPage] = useState(0);
  const pages = Math.max(1, Math.ceil(files.length / FILES_PER_PAGE));
  const shown = files.slice(page * FILES_PER_PAGE, (page + 1) * FILES_PER_PAGE);

  const jump = (f: FileDiff) => {
    setPage(Math.floor(f.index / FILES_PER_PAGE));
    // After the page with the file has rendered.
    requestAnimationFrame(() => document.getElementById(fileAnchor(f))?.scrollIntoView({ behavior: "smooth", block: "start" }));
  };

  if (files.length === 0) return <p className="text-sm text-zinc-400">The run changed no files.</p>;
  return (
    <div data-testid="diff-panel" className="space-y-4">
      <FileList files={files} onJump={jump} />
      <div className="flex flex-wrap items-center justify-between gap-3">
        <ModeToggle mode={mode} onChange={setMode} />
        {pages > 1 && <Pager page={page} pages={pages} total={files.length} onPage={setPage} />}
      </div>
      {shown.map((f) => (
        <FileDiffView key={f.index} file={f} mode={mode} />
      ))}
      {pages > 1 && <Pager page={page} pages={pages} total={files.length} onPage={setPage} />}
      {diff.truncated && (
        <p className="text-xs text-amber-300">The diff is larger than what is shown here; download the patch for all of it.</p>
      )}
    </div>
  );
}

function Pager({ page, pages, total, onPage }: { page: number; pages: number; total: number; onPage: (p: number) => void }) {
  const from = page * FILES_PER_PAGE + 1;
  const to = Math.min(total, (page + 1) * FILES_PER_PAGE);
  return (
    <nav aria-label="Diff pages" className="flex items-center gap-2 text-xs text-zinc-400">
      <button type="button" disabled={page === 0} onClick={() => onPage(page - 1)} className="rounded px-2 py-1 hover:bg-zinc-800 disabled:opacity-40">
        ← Previous
      </button>
      <span>
        files {from}–{to} of {total}
      </span>
      <button type="button" disabled={page >= pages - 1} onClick={() => onPage(page + 1)} className="rounded px-2 py-1 hover:bg-zinc-800 disabled:opacity-40">
        Next →
      </button>
    </nav>
  );
}
