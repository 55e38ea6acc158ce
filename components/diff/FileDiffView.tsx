"use client";

import { DiffModeEnum, DiffView } from "@git-diff-view/react";
import "@git-diff-view/react/styles/diff-view-pure.css";
import { memo } from "react";
import { buttonClass } from "../ui/styles";
import { useColorScheme } from "../ui/useColorScheme";
import { changedLines, collapsedByDefault, type FileDiff } from "./patchSections";
import type { DiffMode } from "./useDiffMode";

const statusLooks: Record<FileDiff["status"], { letter: string; label: string; className: string }> = {
  added: { letter: "A", label: "added", className: "text-emerald-400" },
  modified: { letter: "M", label: "modified", className: "text-amber-300" },
  deleted: { letter: "D", label: "deleted", className: "text-red-400" },
  renamed: { letter: "R", label: "renamed", className: "text-sky-300" },
  copied: { letter: "C", label: "copied", className: "text-sky-300" },
  type_changed: { letter: "T", label: "type changed", className: "text-violet-300" },
};

export const fileAnchor = (f: FileDiff) => `diff-file-${f.index}`;

export function FileName({ file }: { file: FileDiff }) {
  const look = statusLooks[file.status];
  return (
    <>
      <span className={`w-4 shrink-0 font-mono text-xs ${look.className}`} title={look.label}>{look.letter}</span>
      <span className="min-w-0 flex-1 truncate font-mono text-zinc-200">
        {file.oldPath && file.oldPath !== file.path ? (
          <>
            <span className="text-zinc-500">{file.oldPath}</span> → {file.path}
          </>
        ) : (
          file.path
        )}
      </span>
    </>
  );
}

export function Counts({ file }: { file: FileDiff }) {
  if (file.binary) return <span className="shrink-0 text-xs text-zinc-500">binary</span>;
  return (
    <span className="shrink-0 font-mono text-xs">
      <span className="text-emerald-400">+{file.additions}</span> <span className="text-red-400">−{file.deletions}</span>
    </span>
  );
}

function Note({ children }: { children: React.ReactNode }) {
  return <p className="px-3 py-3 text-sm text-zinc-400">{children}</p>;
}

/** Why a file shows no lines, or null when it has some to show. */
function emptyReason(file: FileDiff): string | null {
  if (file.binary) return `Binary file ${statusLooks[file.status].label}; its contents are not shown.`;
  if (file.patch === null) return "This file is past the size limit of the shown diff; download the patch to read it.";
  if (!file.patch.includes("\n@@")) {
    return file.status === "renamed" || file.status === "copied" ? "Moved without changes to its content." : "No line changes (mode or type only).";
  }
  return null;
}

/** What a closed file says instead of its lines. */
function collapsedNote(file: FileDiff): string {
  switch (collapsedByDefault(file)) {
    case "generated":
      return "A generated or lock file: collapsed by default.";
    case "large":
      return `${changedLines(file)} changed lines: collapsed to keep the page quick.`;
    default:
      return `${changedLines(file)} changed lines, collapsed.`;
  }
}

/**
 * One file of the diff: a header with its name and counts, then its hunks rendered by
 * @git-diff-view (syntax highlighted, unified or split). Whether it is open is the list's
 * state (DiffViewer), not its own: a virtualised list unmounts files scrolled far away and
 * must not forget what the reader opened or closed. Memoised: the list re-renders on every
 * scroll, the files in view need not.
 */
export const FileDiffView = memo(function FileDiffView({
  file,
  mode,
  open,
  onToggle,
}: {
  file: FileDiff;
  mode: DiffMode;
  open: boolean;
  onToggle: (file: FileDiff, open: boolean) => void;
}) {
  const reason = emptyReason(file);
  const colorScheme = useColorScheme();
  return (
    <section
      id={fileAnchor(file)}
      data-diff-section={file.path}
      tabIndex={-1}
      className="overflow-hidden rounded-lg border border-zinc-800 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500/50"
    >
      <header className="flex min-w-0 items-center gap-3 border-b border-zinc-800 bg-zinc-900 px-3 py-2 text-sm">
        <FileName file={file} />
        <Counts file={file} />
        {!reason && (
          <button
            type="button"
            data-diff-toggle
            onClick={() => onToggle(file, !open)}
            className={buttonClass("ghost", "sm")}
            aria-expanded={open}
            aria-label={`${open ? "Collapse" : "Expand"} ${file.path}`}
          >
            {open ? "Collapse" : "Expand"}
          </button>
        )}
      </header>
      {reason ? (
        <Note>{reason}</Note>
      ) : open ? (
        <div className="overflow-x-auto text-[12.5px]" data-diff-body={mode}>
          <DiffView
            data={{
              oldFile: { fileName: file.oldPath ?? file.path },
              newFile: { fileName: file.path },
              hunks: [file.patch!],
            }}
            diffViewMode={mode === "split" ? DiffModeEnum.Split : DiffModeEnum.Unified}
            diffViewTheme={colorScheme}
            diffViewHighlight
            diffViewFontSize={12.5}
          />
        </div>
      ) : (
        <Note>
          {collapsedNote(file)}{" "}
          <button type="button" onClick={() => onToggle(file, true)} className="font-medium text-indigo-300 hover:underline">
            Show the diff
          </button>
        </Note>
      )}
    </section>
  );
});
