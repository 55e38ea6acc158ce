import type { DiffFile } from "@/lib/events";

/**
 * Pairs each changed file (from git's own name-status and numstat, always complete) with its
 * part of the unified patch. Git writes both in the same order, so the n-th `diff --git`
 * section belongs to the n-th file; no path parsing, so odd file names cannot confuse it.
 * A patch cut at the size cap leaves the last files without a section (`patch: null`).
 */
export type FileDiff = DiffFile & {
  patch: string | null;
  index: number;
  /** Lines in its patch section (0 without one): what its rendered height mostly depends on. */
  patchLines: number;
};

export function pairFilesWithPatch(files: DiffFile[], patch: string, truncated: boolean): FileDiff[] {
  const sections: string[][] = [];
  for (const line of patch.split("\n")) {
    if (line.startsWith("diff --git ")) sections.push([line]);
    else sections.at(-1)?.push(line);
  }
  // The section the size cap cut through is incomplete: better none than a wrong one.
  if (truncated) sections.pop();
  return files.map((file, index) => {
    const section = sections[index];
    return { ...file, index, patch: section?.join("\n").trimEnd() ?? null, patchLines: section?.length ?? 0 };
  });
}

/** Changed lines above which a file starts collapsed: the page stays quick, the reader chooses. */
export const COLLAPSE_OVER_LINES = 400;

export const changedLines = (f: DiffFile) => f.additions + f.deletions;

// Lock files, build output and minified or generated sources: rarely read in a review and often
// huge, so they start collapsed (one click shows them). Matched on the path only.
const GENERATED_NAMES = new Set([
  "package-lock.json",
  "npm-shrinkwrap.json",
  "yarn.lock",
  "pnpm-lock.yaml",
  "bun.lockb",
  "bun.lock",
  "Cargo.lock",
  "Gemfile.lock",
  "composer.lock",
  "poetry.lock",
  "Pipfile.lock",
  "uv.lock",
  "go.sum",
  "flake.lock",
  "mix.lock",
  "pubspec.lock",
  "Podfile.lock",
  "packages.lock.json",
]);
const GENERATED_PATTERN = /(^|\/)(dist|build|out|vendor|node_modules|__generated__|generated)\/|\.(min\.(js|css)|map|snap|pb\.go|lock)$|_pb2\.py$|\.generated\.[a-z]+$/;

export function isGenerated(path: string): boolean {
  const name = path.slice(path.lastIndexOf("/") + 1);
  return GENERATED_NAMES.has(name) || GENERATED_PATTERN.test(path);
}

/** Why a file starts collapsed, or null when it starts open. */
export type CollapsedReason = "large" | "generated";
export function collapsedByDefault(f: FileDiff): CollapsedReason | null {
  if (isGenerated(f.path)) return "generated";
  if (changedLines(f) > COLLAPSE_OVER_LINES) return "large";
  return null;
}
