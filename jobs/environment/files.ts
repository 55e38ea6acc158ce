import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { environmentFile, type EnvironmentFile } from "../../lib/contracts/environment";
import { PermanentRunError } from "../errors";
import { readFileOrNull } from "../fsUtil";
import { runGit } from "../git/exec";
import { writeFileAtomic } from "../git/platformRepo";
import { recordExcludedPaths } from "./excludedPaths";
import { recordSecretFiles } from "./secretFiles";

/**
 * Files the environment puts into the run's workspace that git must never see: secret files
 * written from job-process variables (e.g. `.env`), and what the setup produced (e.g.
 * `node_modules`). Both are kept out of the run's commits through the run repository's
 * `info/exclude`; secret files are also refused at commit time (secretFiles.ts).
 */

export type PlaceEnvironmentFilesOptions = {
  /** The run's workspace (the attempt's work tree). */
  workspace: string;
  files: readonly EnvironmentFile[];
  /** The run's repository (jobs/git/runRepo.ts): its HEAD is the run's branch as checked out. */
  gitDir: string;
  baseSha: string;
  /** Where the values come from: the job process's own environment. */
  env?: Record<string, string | undefined>;
};

/**
 * Writes each file's content, the value of its variable, into the workspace at its path
 * (mode 0600, parent folders created), after checking everything first: the path is relative,
 * outside `.git`, not tracked by git (at the base commit nor where the run's branch is: a secret
 * must not replace a tracked file, the diff would show it), its variable is set, and no part of
 * the path is a symlink. Any symlink is refused, not only one that leads out: through
 * `config -> real` the file would land at `real/.env`, a path the exclusion and the commit
 * refusal do not name. The paths are recorded as secret and excluded from commits before the
 * first file is written. Returns the placed paths. Refusals are permanent run errors.
 */
export async function placeEnvironmentFiles(options: PlaceEnvironmentFilesOptions): Promise<string[]> {
  const { workspace, gitDir, baseSha } = options;
  const env = options.env ?? process.env;
  const files = options.files.map(checkFile);
  const seen = new Set<string>();
  for (const file of files) {
    if (seen.has(file.path)) throw new PermanentRunError(`the environment places ${file.path} twice; give each file one variable`);
    seen.add(file.path);
    for (const rev of [baseSha, "HEAD"]) {
      if (await isTracked(gitDir, rev, file.path)) {
        throw new PermanentRunError(
          `the environment's file ${file.path} is tracked in the repository; a secret file must not replace a tracked file (its content would be in the diff)`,
        );
      }
    }
    if (!env[file.env]) {
      throw new PermanentRunError(`the environment's file ${file.path} is written from the variable ${file.env}, which is not set on this job process`);
    }
  }
  if (files.length === 0) return [];
  const placed = files.map((f) => f.path);
  await recordSecretFiles(gitDir, placed);
  await excludeFromCommits(gitDir, placed);
  for (const file of files) await writeConfined(workspace, file.path, env[file.env]!);
  return placed;
}

/** The file's path checked again (the payload was checked by the web) and in one normal form. */
function checkFile(file: EnvironmentFile): EnvironmentFile {
  const parsed = environmentFile.safeParse(file);
  if (!parsed.success) {
    throw new PermanentRunError(`the environment's file ${JSON.stringify(file.path)} cannot be placed: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
  }
  const normal = path.posix.normalize(parsed.data.path).replace(/\/+$/, "");
  // The contract refuses `.git` exactly; a case-insensitive file system would not.
  if (normal === "." || normal.startsWith("../") || normal.split("/").some((part) => part.toLowerCase() === ".git") || /[\r\n]/.test(normal)) {
    throw new PermanentRunError(`the environment's file ${JSON.stringify(file.path)} cannot be placed: not a file path inside the workspace`);
  }
  return { path: normal, env: parsed.data.env };
}

/** Whether `rev` has a file or folder at `file`, read with the platform's git (not the workspace). */
async function isTracked(gitDir: string, rev: string, file: string): Promise<boolean> {
  const { stdout } = await runGit(["ls-tree", "-z", "--full-tree", "--name-only", "--end-of-options", rev, "--", file], { gitDir, env: { GIT_LITERAL_PATHSPECS: "1" } });
  return stdout.split("\0").some((entry) => entry === file);
}

/** Writes `content` at `relative` under `workspace`, following no symlink, mode 0600. */
async function writeConfined(workspace: string, relative: string, content: string): Promise<void> {
  const parts = relative.split("/");
  let dir = workspace;
  for (const part of parts.slice(0, -1)) {
    dir = path.join(dir, part);
    const stat = await lstatOrNull(dir);
    if (stat === null) await fs.mkdir(dir, { mode: 0o755 });
    else if (stat.isSymbolicLink()) throw refused(relative, `${path.relative(workspace, dir)} is a symlink`);
    else if (!stat.isDirectory()) throw refused(relative, `${path.relative(workspace, dir)} is not a folder`);
  }
  const target = path.join(dir, parts.at(-1)!);
  const existing = await lstatOrNull(target);
  if (existing?.isSymbolicLink()) throw refused(relative, "it is a symlink");
  if (existing && !existing.isFile()) throw refused(relative, "something other than a file is there");
  // A new file beside the target (exclusive, never through a link), renamed over it.
  const tmp = path.join(dir, `.agentdesk-${crypto.randomUUID()}.tmp`);
  try {
    await fs.writeFile(tmp, content, { mode: 0o600, flag: "wx" });
    await fs.chmod(tmp, 0o600); // the process umask cannot widen it, but be explicit
    await fs.rename(tmp, target);
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

const refused = (file: string, why: string) => new PermanentRunError(`the environment's file ${file} was not placed: ${why}`);

async function lstatOrNull(p: string) {
  try {
    return await fs.lstat(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
}

/**
 * Keeps `paths` (relative to the workspace, files or folders) out of every commit the platform
 * makes for the run: each becomes an anchored, escaped pattern in the run repository's
 * `info/exclude`, which the platform's `git add --all` reads and the run cannot write. Adds to
 * what is there (the setup's outputs and the secret files are excluded by separate calls).
 */
export async function excludeFromCommits(gitDir: string, paths: readonly string[]): Promise<void> {
  if (paths.length === 0) return;
  // Also recorded for the commit's exclude pathspecs, which a repository's .gitignore cannot undo.
  await recordExcludedPaths(gitDir, paths);
  const file = path.join(gitDir, "info", "exclude");
  await fs.mkdir(path.dirname(file), { recursive: true });
  const existing = (await readFileOrNull(file)) ?? "";
  const lines = existing.split("\n").filter(Boolean);
  const have = new Set(lines);
  for (const p of paths) {
    const pattern = excludePattern(p);
    if (!have.has(pattern)) {
      have.add(pattern);
      lines.push(pattern);
    }
  }
  await writeFileAtomic(file, `${lines.join("\n")}\n`);
}

/**
 * One path as a gitignore pattern matching exactly it: anchored at the top (`/`, which also
 * keeps a leading `!` or `#` literal), glob characters and backslashes escaped, trailing spaces
 * kept. A line break cannot be written in a pattern: `?` (any one character) stands in for it,
 * so such a path is still excluded (with its look-alikes, which is the safe side).
 */
export function excludePattern(relative: string): string {
  const normal = path.posix.normalize(relative).replace(/^(\.\/)+/, "").replace(/\/+$/, "");
  if (normal === "." || normal === "" || normal.startsWith("../") || normal.startsWith("/")) {
    throw new Error(`cannot exclude ${JSON.stringify(relative)}: not a path inside the workspace`);
  }
  const escaped = normal
    .replace(/[\\*?[\]]/g, (c) => `\\${c}`)
    .replace(/[\r\n]/g, "?")
    .replace(/ +$/, (spaces) => spaces.replace(/ /g, "\\ "));
  return `/${escaped}`;
}
