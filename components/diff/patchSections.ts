import type { DiffFile } from "@/lib/events";

/**
 * Pairs each changed file (from git's own name-status and numstat, always complete) with its
 * part of the unified patch. Git writes both in the same order, so the n-th `diff --git`
 * section belongs to the n-th file; no path parsing, so odd file names cannot confuse it.
 * A patch cut at the size cap leaves the last files without a section (`patch: null`).
 */
export type FileDiff = DiffFile & { patch: string | null; index: number };

export function pairFilesWithPatch(files: DiffFile[], patch: string, truncated: boolean): FileDiff[] {
  const sections: string[][] = [];
  for (const line of patch.split("\n")) {
    if (line.startsWith("diff --git ")) sections.push([line]);
    else sections.at(-1)?.push(line);
  }
  // The section the size cap cut through is incomplete: better none than a wrong one.
  if (truncated) sections.pop();
  return files.map((file, index) => ({ ...file, index, patch: sections[index]?.join("\n").trimEnd() ?? null }));
}

/** Changed lines above which a file starts collapsed: the page stays quick, the reader chooses. */
export const COLLAPSE_OVER_LINES = 400;

export const changedLines = (f: DiffFile) => f.additions + f.deletions;
