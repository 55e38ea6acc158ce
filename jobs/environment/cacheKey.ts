import crypto from "node:crypto";
import { runGit } from "../git/exec";

export type EnvironmentCacheKey = {
  /** 64 hex characters: the cache entry's name (cache.ts). */
  key: string;
  /** What besides the configuration it depends on: the key files' contents, or the base commit. */
  keyedBy: "files" | "base commit";
};

/**
 * The cache key of a run's environment: its configuration hash with the contents of the key
 * files (e.g. package-lock.json) at the base commit, or with the base commit itself when the
 * environment names no key files or none of them exists there. The files are read with the
 * platform's git from the run's repository, never from the workspace (which the run can
 * change); a file's git object id stands for its contents (it is their hash), and a folder's
 * for everything in it.
 */
export async function environmentCacheKey(o: {
  gitDir: string;
  baseSha: string;
  configHash: string;
  cacheKeyFiles: readonly string[];
  signal?: AbortSignal;
}): Promise<EnvironmentCacheKey> {
  const files = [...new Set(o.cacheKeyFiles)].sort();
  const found = files.length > 0 ? await objectsAt(o.gitDir, o.baseSha, files, o.signal) : new Map<string, string>();
  const hash = crypto.createHash("sha256").update(`agentdesk-environment\0${o.configHash}\0`);
  if (found.size === 0) {
    hash.update(`base\0${o.baseSha}`);
    return { key: hash.digest("hex"), keyedBy: "base commit" };
  }
  for (const file of files) hash.update(`${file}\0${found.get(file) ?? "absent"}\0`);
  return { key: hash.digest("hex"), keyedBy: "files" };
}

/** Path → "<mode> <type> <object id>" at `rev`, for the paths that exist there. */
async function objectsAt(gitDir: string, rev: string, paths: string[], signal?: AbortSignal): Promise<Map<string, string>> {
  const { stdout } = await runGit(["ls-tree", "-z", "--full-tree", "--end-of-options", rev, "--", ...paths], {
    gitDir,
    signal,
    env: { GIT_LITERAL_PATHSPECS: "1" },
  });
  const wanted = new Set(paths);
  const found = new Map<string, string>();
  for (const line of stdout.split("\0")) {
    const tab = line.indexOf("\t");
    if (tab < 0) continue;
    const file = line.slice(tab + 1);
    if (wanted.has(file)) found.set(file, line.slice(0, tab));
  }
  return found;
}
