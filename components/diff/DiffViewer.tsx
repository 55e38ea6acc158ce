"use client";

import { useCallback, useDeferredValue, useEffect, useMemo, useRef, useState } from "react";
import type { RunDiffView } from "@/lib/services/runs";
import { cx } from "../ui/cx";
import { buttonClass, inputClass, touchTargetClass } from "../ui/styles";
import { DiffFileList } from "./DiffFileList";
import { collapsedByDefault, pairFilesWithPatch, type FileDiff } from "./patchSections";
import { useDiffMode, type DiffMode } from "./useDiffMode";
import { VirtualFileDiffs, type FileDiffsHandle } from "./VirtualFileDiffs";

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
          className={cx("inline-flex items-center rounded-md px-2.5 py-1 font-medium capitalize", touchTargetClass, mode === m ? "bg-zinc-700 text-zinc-50" : "text-zinc-400 hover:text-zinc-200")}
        >
          {m}
        </button>
      ))}
    </div>
  );
}

// Below this many files a filter is clutter: the whole list fits in view.
const FILTER_FROM_FILES = 8;

/** Which files are open: the reader's own choices over "expand all"/"collapse all" over the defaults. */
type OpenState = { all: boolean | null; files: ReadonlyMap<number, boolean> };

function matches(file: FileDiff, query: string): boolean {
  return file.path.toLowerCase().includes(query) || Boolean(file.oldPath?.toLowerCase().includes(query));
}

/**
 * The run's changes: a filter by path, expand/collapse all, the unified/split switch (remembered),
 * the list of files with their counts (click to jump; beside the diffs on wide screens, above
 * them on narrow ones), then each file's diff. Both lists are virtualised, so a diff of hundreds
 * of files keeps the page light; large files and generated or lock files start collapsed.
 */
export function DiffViewer({ diff }: { diff: RunDiffView }) {
  const files = useMemo(() => pairFilesWithPatch(diff.files, diff.patch, diff.truncated), [diff]);
  const [mode, setMode] = useDiffMode();
  const [query, setQuery] = useState("");
  const needle = useDeferredValue(query.trim().toLowerCase());
  const shown = useMemo(() => (needle ? files.filter((f) => matches(f, needle)) : files), [files, needle]);
  const [openState, setOpenState] = useState<OpenState>({ all: null, files: new Map() });
  const isOpen = useCallback(
    (f: FileDiff) => openState.files.get(f.index) ?? openState.all ?? collapsedByDefault(f) === null,
    [openState],
  );
  const onToggle = useCallback((f: FileDiff, open: boolean) => setOpenState((s) => ({ ...s, files: new Map(s.files).set(f.index, open) })), []);
  const [current, setCurrent] = useState<number | null>(null);
  const diffs = useRef<FileDiffsHandle>(null);
  const jump = useCallback((f: FileDiff) => diffs.current?.jumpTo(shown.indexOf(f)), [shown]);

  // A link to one file (#diff-file-<n>, as the list's links read) opens the page at it.
  useEffect(() => {
    const linked = /^#diff-file-(\d+)$/.exec(window.location.hash);
    if (linked) diffs.current?.jumpTo(Number(linked[1]));
  }, []);

  if (files.length === 0) return <p className="text-sm text-zinc-400">The run changed no files.</p>;
  return (
    <div data-testid="diff-panel" className="space-y-4">
      <div className="flex flex-wrap items-center gap-3">
        {files.length >= FILTER_FROM_FILES && (
          <label className="min-w-0 flex-1 basis-56">
            <span className="sr-only">Filter files by path</span>
            <input
              type="search"
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              placeholder="Filter files by path…"
              data-testid="diff-filter"
              className={inputClass()}
            />
          </label>
        )}
        <span className="text-xs text-zinc-400" data-testid="diff-file-count">
          {shown.length === files.length ? `${files.length} ${files.length === 1 ? "file" : "files"}` : `${shown.length} of ${files.length} files`}
        </span>
        {files.length > 1 && (
          <div className="flex items-center gap-1">
            <button type="button" onClick={() => setOpenState({ all: true, files: new Map() })} className={buttonClass("ghost", "sm")}>
              Expand all
            </button>
            <button type="button" onClick={() => setOpenState({ all: false, files: new Map() })} className={buttonClass("ghost", "sm")}>
              Collapse all
            </button>
          </div>
        )}
        {files.length < FILTER_FROM_FILES && <span className="flex-1" aria-hidden />}
        <ModeToggle mode={mode} onChange={setMode} />
      </div>
      <div className="grid gap-4 lg:grid-cols-[16rem_minmax(0,1fr)]">
        <aside className="min-w-0 lg:sticky lg:top-20 lg:self-start">
          <DiffFileList files={shown} current={current} onJump={jump} className="max-h-64 lg:max-h-[calc(100vh-7rem)]" />
        </aside>
        <div className="min-w-0">
          {shown.length > 0 ? (
            <VirtualFileDiffs
              ref={diffs}
              files={shown}
              mode={mode}
              isOpen={isOpen}
              layoutKey={`${mode}:${openState.all}`}
              onToggle={onToggle}
              onCurrent={setCurrent}
            />
          ) : (
            <p className="text-sm text-zinc-400">No changed file matches “{query.trim()}”.</p>
          )}
        </div>
      </div>
      {diff.truncated && (
        <p className="text-xs text-amber-300">The diff is larger than what is shown here; download the patch for all of it.</p>
      )}
    </div>
  );
}
