import crypto from "node:crypto";
import {
  REPOSITORY_ENVIRONMENT_FILE,
  environmentSpec,
  repositoryEnvironmentFile,
  type EnvironmentFile,
  type EnvironmentSpec,
  type RepositoryEnvironmentFile,
} from "../../lib/contracts/environment";
import type { EnvironmentSource } from "../../lib/events";
import { formatBytes } from "../../lib/byteSize";
import { runGit } from "../git/exec";

/**
 * What a run's environment is: the admin's settings (the run job's `environment`), with the
 * repository's own `.agentdesk/environment.json` filling what the admin left unset when the
 * admin allows it. The repository's file is untrusted input: it may name scripts and cache key
 * files only (hosts, variables and files come from the admin), it is read from the base commit
 * with the platform's git (what the run's branch or workspace holds cannot change it, and no
 * symlink is ever followed: git stores one as a link, which is refused), capped in size, and a
 * file that is not valid is a warning in the feed and ignored whole, never half obeyed.
 */

/** Bigger repository files are refused (the scripts in it are capped at 20 000 characters each). */
export const REPOSITORY_FILE_MAX_BYTES = 64 * 1024;

export type EffectiveEnvironment = {
  setupScript: string | null;
  maintenanceScript: string | null;
  setupHosts: string[];
  setupEnvNames: string[];
  cacheKeyFiles: string[];
  files: EnvironmentFile[];
  /** Where the scripts and key files came from. */
  source: EnvironmentSource;
  /** Hash of everything that shapes what the setup produces (cacheKey.ts keys on it). */
  configHash: string;
};

/** What reading the repository's file found: its settings, none, or why it is not used. */
export type RepositoryFileResult = { file: RepositoryEnvironmentFile } | { absent: true } | { refused: string };

/**
 * Reads `.agentdesk/environment.json` at `baseSha` of the run's repository. Only a regular file
 * is read (a symlink, a folder or a submodule there is refused), at most REPOSITORY_FILE_MAX_BYTES.
 */
export async function readRepositoryFile(gitDir: string, baseSha: string, signal?: AbortSignal): Promise<RepositoryFileResult> {
  const git = { gitDir, signal, env: { GIT_LITERAL_PATHSPECS: "1" } };
  const { stdout } = await runGit(["ls-tree", "-z", "--full-tree", "--long", "--end-of-options", baseSha, "--", REPOSITORY_ENVIRONMENT_FILE], git);
  const line = stdout.split("\0").find((l) => l.endsWith(`\t${REPOSITORY_ENVIRONMENT_FILE}`));
  if (!line) return { absent: true };
  // "<mode> <type> <object> <size>\t<path>"
  const [mode, type, object, size] = line.slice(0, line.indexOf("\t")).trim().split(/\s+/);
  if (type !== "blob" || (mode !== "100644" && mode !== "100755")) {
    const what = mode === "120000" ? "a symlink" : type === "tree" ? "a folder" : type === "commit" ? "a submodule" : `a ${type} of mode ${mode}`;
    return { refused: `it is ${what}, not a regular file` };
  }
  const bytes = Number(size);
  if (!(bytes <= REPOSITORY_FILE_MAX_BYTES)) return { refused: `it is ${formatBytes(bytes)}, more than ${formatBytes(REPOSITORY_FILE_MAX_BYTES)}` };
  const { stdout: text } = await runGit(["cat-file", "blob", object!], { gitDir, signal });
  return parseRepositoryFile(text);
}

/** The file's text checked against the contract; every problem named, with the fields an admin sets. */
export function parseRepositoryFile(text: string): RepositoryFileResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { refused: `it is not valid JSON (${(e as Error).message})` };
  }
  const parsed = repositoryEnvironmentFile.safeParse(json);
  if (parsed.success) return { file: parsed.data };
  const problems = parsed.error.issues.map((issue) => {
    if (issue.code === "unrecognized_keys") {
      return `${issue.keys.join(", ")} ${issue.keys.length === 1 ? "is" : "are"} not allowed here (hosts, variables and files are set by an admin only; the file may give setupScript, maintenanceScript, cacheKeyFiles and checks)`;
    }
    const where = issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
    return `${where}${issue.message}`;
  });
  return { refused: problems.join("; ") };
}

/**
 * The effective environment of a run. `repositoryFile` is what readRepositoryFile found (only
 * consulted when the admin allows it; pass null when it was not read).
 */
export function effectiveEnvironment(admin: EnvironmentSpec | null, repositoryFile: RepositoryEnvironmentFile | null): EffectiveEnvironment {
  const spec = admin ?? environmentSpec.parse({});
  const fromRepo = spec.useRepositoryFile ? repositoryFile : null;
  let usedAdmin = false;
  let usedRepo = false;
  // Field by field: the admin's value when set, else the repository's.
  const pick = <T>(adminValue: T, isSet: (v: T) => boolean, repoValue: T | undefined): T => {
    if (isSet(adminValue)) {
      usedAdmin = true;
      return adminValue;
    }
    if (repoValue !== undefined && isSet(repoValue)) {
      usedRepo = true;
      return repoValue;
    }
    return adminValue;
  };
  const isText = (v: string | null) => v !== null && v.trim() !== "";
  // Unix line ends: bash would run a CR as part of each command (a script written on Windows).
  const script = (v: string | null | undefined) => (typeof v === "string" ? v.replace(/\r\n?/g, "\n") : v);
  const setupScript = pick<string | null>(script(spec.setupScript) ?? null, isText, script(fromRepo?.setupScript));
  const maintenanceScript = pick<string | null>(script(spec.maintenanceScript) ?? null, isText, script(fromRepo?.maintenanceScript));
  const cacheKeyFiles = pick<string[]>(spec.cacheKeyFiles, (v) => v.length > 0, fromRepo?.cacheKeyFiles);
  const source: EnvironmentSource = usedAdmin && usedRepo ? "admin and repository" : usedRepo ? "repository" : "admin";
  const shaping = {
    setupScript: isText(setupScript) ? setupScript : null,
    maintenanceScript: isText(maintenanceScript) ? maintenanceScript : null,
    setupHosts: [...new Set(spec.setupHosts)].sort(),
    setupEnvNames: [...new Set(spec.setupEnvNames)].sort(),
    cacheKeyFiles: [...new Set(cacheKeyFiles.map(normalizeRelative))].sort(),
  };
  return { ...shaping, files: spec.files, source, configHash: configHash(shaping) };
}

/** `./a//b/` → `a/b`: one spelling per path, so equal settings hash equally. */
export function normalizeRelative(p: string): string {
  return p.split(/\/+/).filter((part) => part !== "" && part !== ".").join("/");
}

// The variables' values are not part of it: a rotated token does not make a new environment.
// Bumped when what a cache holds changes meaning.
const CONFIG_HASH_VERSION = 1;

function configHash(shaping: Omit<EffectiveEnvironment, "files" | "source" | "configHash">): string {
  return crypto.createHash("sha256").update(JSON.stringify({ v: CONFIG_HASH_VERSION, ...shaping })).digest("hex");
}
