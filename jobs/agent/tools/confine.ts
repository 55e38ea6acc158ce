import fs from "node:fs/promises";
import path from "node:path";
import { asToolFailure, ToolFailure } from "./failure";

/**
 * Confinement of the file tools to the run's workspace. A path from the model is checked in
 * two steps: as text (relative, no `..` escape, no `.git` segment, no NUL) and then against
 * the file system (the real path, symlinks resolved, must stay inside the workspace and out of
 * `.git`). Opening the checked path race-safely is `confinedFile.ts`'s job.
 */

/** Longer paths are refused before touching the file system (Linux's PATH_MAX is 4096). */
export const MAX_PATH_LENGTH = 4096;

export type ConfinedPath = {
  /** The path as the model gave it, normalized: what messages show. */
  display: string;
  /** The workspace's real path. */
  workspaceReal: string;
  /**
   * The target's real path (no symlink left in it). For a path that does not exist yet: the
   * real path of its deepest existing ancestor joined with the missing rest.
   */
  real: string;
  exists: boolean;
  /** Real path of the deepest existing ancestor (the target itself when it exists). */
  ancestorReal: string;
  /** Names of the missing folders and file below the deepest existing ancestor, in order. */
  missing: string[];
};

/** Checks `requested` (relative to `workspace`) and resolves it; refusals throw ToolFailure. */
export async function confinePath(workspace: string, requested: string): Promise<ConfinedPath> {
  const display = checkPathText(requested);
  const workspaceReal = await fs.realpath(workspace);
  const lexical = path.join(workspaceReal, display);

  const missing: string[] = [];
  let existing = lexical;
  let existingReal: string;
  for (;;) {
    try {
      existingReal = await fs.realpath(existing);
      break;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ELOOP") throw new ToolFailure(`refused: ${display}: symlink loop`);
      if (code === "ENOTDIR") throw new ToolFailure(`${display}: a part of the path is a file, not a folder`);
      if (code !== "ENOENT" || existing === workspaceReal) throw asToolFailure(e, display) ?? e;
      // A dangling symlink would let a write create its target wherever it points.
      const danglingTarget = await symlinkTarget(existing);
      if (danglingTarget !== null) {
        throw new ToolFailure(
          `refused: ${relativeName(workspaceReal, existing)} is a symlink to a missing target (${danglingTarget})`,
        );
      }
      missing.unshift(path.basename(existing));
      existing = path.dirname(existing);
    }
  }

  const realRelative = path.relative(workspaceReal, existingReal);
  if (!isInside(realRelative)) {
    throw new ToolFailure(`refused: ${display} escapes the workspace${await describeEscape(workspaceReal, display)}`);
  }
  if (hasGitSegment(realRelative)) {
    throw new ToolFailure(`refused: ${display} resolves into .git (${realRelative}); the repository's metadata is off limits`);
  }
  return {
    display,
    workspaceReal,
    real: path.join(existingReal, ...missing),
    exists: missing.length === 0,
    ancestorReal: existingReal,
    missing,
  };
}

/**
 * The textual checks; returns the normalized relative path ("." for the root). Exported for
 * the tools that check a path before the file system is involved.
 */
export function checkPathText(requested: string): string {
  if (requested.includes("\0")) throw new ToolFailure("refused: the path contains a NUL byte");
  if (requested.length > MAX_PATH_LENGTH) {
    throw new ToolFailure(`refused: the path is ${requested.length} characters long (at most ${MAX_PATH_LENGTH})`);
  }
  if (path.isAbsolute(requested)) {
    throw new ToolFailure(
      `refused: ${requested} is an absolute path; give a path relative to the workspace root, e.g. src/index.ts`,
    );
  }
  if (hasGitSegment(requested)) {
    throw new ToolFailure(`refused: ${requested} is inside .git; the repository's metadata is off limits`);
  }
  const normalized = path.posix.normalize(requested === "" ? "." : requested).replace(/\/+$/, "") || ".";
  if (!isInside(normalized)) throw new ToolFailure(`refused: ${requested} escapes the workspace (..)`);
  return normalized;
}

/** Whether the real path of an opened file (from /proc) is inside the workspace and out of `.git`. */
export function isAllowedRealPath(workspaceReal: string, real: string): boolean {
  const relative = path.relative(workspaceReal, real);
  return isInside(relative) && !hasGitSegment(relative);
}

// Relative path that does not leave its base: not "..", not "../x", not absolute.
function isInside(relative: string): boolean {
  return relative !== ".." && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}

// Case-insensitive: on a case-insensitive file system `.GIT` is the same folder.
function hasGitSegment(p: string): boolean {
  return p.split(/[/\\]/).some((segment) => segment.toLowerCase() === ".git");
}

async function symlinkTarget(p: string): Promise<string | null> {
  try {
    const stat = await fs.lstat(p);
    return stat.isSymbolicLink() ? await fs.readlink(p) : null;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
}

/** Names the first symlink on the way whose target lies outside, for the refusal message. */
async function describeEscape(workspaceReal: string, display: string): Promise<string> {
  let current = workspaceReal;
  for (const segment of display.split("/")) {
    current = path.join(current, segment);
    const target = await symlinkTarget(current);
    if (target === null) continue;
    // A link that cannot be resolved (dangling, loop) counts as leading out: this only words the refusal.
    const resolved = await fs.realpath(current).catch(() => null);
    if (resolved === null || !isInside(path.relative(workspaceReal, resolved))) {
      return ` via symlink ${relativeName(workspaceReal, current)} -> ${target}`;
    }
  }
  return "";
}

function relativeName(workspaceReal: string, p: string): string {
  return path.relative(workspaceReal, p) || ".";
}
