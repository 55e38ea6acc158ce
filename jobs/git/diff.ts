import type { DiffFile } from "../../lib/events";
import { runGit } from "./exec";

/** The unified diff in `diff.ready` is capped; the per-file figures are always complete. */
export const MAX_PATCH_BYTES = 1024 * 1024;

export type DiffSummary = {
  files: DiffFile[];
  additions: number;
  deletions: number;
  patch: string;
  truncated: boolean;
};

// Same options for every part, so file lists line up: renames detected, no external diff
// drivers or text conversion (they are configurable programs), no colour.
const DIFF_OPTIONS = ["--find-renames", "--no-ext-diff", "--no-textconv", "--no-color"];

const STATUS: Record<string, DiffFile["status"]> = {
  A: "added",
  M: "modified",
  D: "deleted",
  R: "renamed",
  C: "copied",
  T: "type_changed",
};

/** What changed between two commits of a repository (the mirror or a worktree). */
export async function diffCommits(
  repo: { gitDir?: string; cwd?: string },
  baseSha: string,
  headSha: string,
  maxPatchBytes = MAX_PATCH_BYTES,
): Promise<DiffSummary> {
  const range = [baseSha, headSha, "--"];
  const [names, numbers, patchOut] = await Promise.all([
    runGit(["diff", ...DIFF_OPTIONS, "--name-status", "-z", ...range], repo),
    runGit(["diff", ...DIFF_OPTIONS, "--numstat", "-z", ...range], repo),
    runGit(["diff", ...DIFF_OPTIONS, "--patch", ...range], { ...repo, maxStdoutBytes: maxPatchBytes + 1 }),
  ]);
  const statuses = parseNameStatus(names.stdout);
  const counts = parseNumstat(numbers.stdout);
  if (statuses.length !== counts.length) {
    throw new Error(`git diff listed ${statuses.length} files by status but ${counts.length} by line count`);
  }
  const files: DiffFile[] = statuses.map((s, i) => {
    const c = counts[i]!;
    return {
      path: s.path,
      ...(s.oldPath !== undefined ? { oldPath: s.oldPath } : {}),
      status: s.status,
      additions: c.additions,
      deletions: c.deletions,
      binary: c.binary,
    };
  });
  const truncated = patchOut.truncated || Buffer.byteLength(patchOut.stdout) > maxPatchBytes;
  return {
    files,
    additions: files.reduce((n, f) => n + f.additions, 0),
    deletions: files.reduce((n, f) => n + f.deletions, 0),
    patch: truncated ? cutAtLine(patchOut.stdout, maxPatchBytes) : patchOut.stdout,
    truncated,
  };
}

// `--name-status -z`: "M\0path\0", or "R093\0old\0new\0" for renames and copies.
function parseNameStatus(out: string): { status: DiffFile["status"]; path: string; oldPath?: string }[] {
  const parts = out.split("\0");
  const result: { status: DiffFile["status"]; path: string; oldPath?: string }[] = [];
  for (let i = 0; i < parts.length && parts[i] !== ""; ) {
    const code = parts[i]!;
    const status = STATUS[code[0]!] ?? "modified";
    if (status === "renamed" || status === "copied") {
      result.push({ status, oldPath: parts[i + 1]!, path: parts[i + 2]! });
      i += 3;
    } else {
      result.push({ status, path: parts[i + 1]! });
      i += 2;
    }
  }
  return result;
}

// `--numstat -z`: "add\tdel\tpath\0", or "add\tdel\t\0old\0new\0" for renames; "-\t-" for binary.
function parseNumstat(out: string): { additions: number; deletions: number; binary: boolean }[] {
  const parts = out.split("\0");
  const result: { additions: number; deletions: number; binary: boolean }[] = [];
  for (let i = 0; i < parts.length && parts[i] !== ""; ) {
    const [add = "0", del = "0", file = ""] = parts[i]!.split("\t");
    const binary = add === "-";
    result.push({ additions: binary ? 0 : Number(add), deletions: binary ? 0 : Number(del), binary });
    i += file === "" ? 3 : 1;
  }
  return result;
}

/** At most `maxBytes` of `text`, ending at a line break so no line or character is cut. */
function cutAtLine(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, "utf8").subarray(0, maxBytes);
  const lastNewline = bytes.lastIndexOf(0x0a);
  return bytes.subarray(0, lastNewline + 1).toString("utf8");
}
