import os from "node:os";
import { remoteProtocols, runGit } from "../../jobs/git/exec";
import { mirrorPath } from "../../jobs/git/mirror";
import { notFound } from "../errors";
import type { App } from "../server/app";
import { repoByName } from "./repos";

/**
 * The branches of a registered repository, for the New run form's base-branch picker. Read
 * from the remote with `git ls-remote` through the platform's git wrapper (no hooks, no config,
 * only the transports the install allows), without credentials: those live only in the job
 * processes' environment. When the remote does not answer (a private repository, no network),
 * the mirror a job process on this machine keeps is read instead; when neither works the
 * answer says why and the form falls back to typing the name.
 *
 * Cached per repository URL for a minute (a failure for 15 s), so opening the form is quick
 * and a busy form does not hammer the remote.
 */
export type RepoBranches = {
  repo: string;
  defaultBranch: string;
  branches: string[];
  /** Where the list came from; null when it could not be read (then `error` says why). */
  source: "remote" | "mirror" | null;
  error?: string;
};

const OK_TTL_MS = 60_000;
const FAILED_TTL_MS = 15_000;
const REMOTE_TIMEOUT_MS = 10_000;
const MAX_BRANCHES = 2_000;
const MAX_LISTING_BYTES = 4 * 1024 * 1024;

type Listing = { branches: string[]; source: RepoBranches["source"]; error?: string };
const cache = new Map<string, { expires: number; listing: Promise<Listing> }>();

const branchesOf = (stdout: string, prefix: string) =>
  stdout
    .split("\n")
    .map((line) => line.split(/\s+/).find((part) => part.startsWith(prefix))?.slice(prefix.length))
    .filter((b): b is string => !!b && b !== "HEAD")
    .sort((a, b) => a.localeCompare(b))
    .slice(0, MAX_BRANCHES);

async function readListing(url: string, dataDir: string, allowLocalRepos: boolean): Promise<Listing> {
  try {
    const { stdout } = await runGit(["ls-remote", "--heads", "--end-of-options", url], {
      // Outside any repository, so no repository's config is read.
      cwd: os.tmpdir(),
      protocols: remoteProtocols(allowLocalRepos),
      timeoutMs: REMOTE_TIMEOUT_MS,
      maxStdoutBytes: MAX_LISTING_BYTES,
    });
    return { branches: branchesOf(stdout, "refs/heads/"), source: "remote" };
  } catch (remoteError) {
    try {
      const { stdout } = await runGit(["for-each-ref", "--format=%(refname)", "refs/remotes/origin/"], {
        gitDir: mirrorPath(dataDir, url),
        timeoutMs: REMOTE_TIMEOUT_MS,
        maxStdoutBytes: MAX_LISTING_BYTES,
      });
      const branches = branchesOf(stdout, "refs/remotes/origin/");
      if (branches.length > 0) return { branches, source: "mirror" };
    } catch {
      // No mirror on this machine (the job processes run elsewhere, or none ran yet).
    }
    const message = (remoteError as Error).message.split("\n").find((l) => l.trim()) ?? "git ls-remote failed";
    return { branches: [], source: null, error: `the branches could not be listed: ${message.slice(0, 300)}` };
  }
}

/** Any signed-in user may start runs on any registered repository, so may list its branches. */
export async function listRepoBranches(app: Pick<App, "db" | "config">, name: string): Promise<RepoBranches> {
  const repo = await repoByName(app, name);
  if (!repo) throw notFound("Repository");
  const hit = cache.get(repo.url);
  let listing: Promise<Listing>;
  if (hit && Date.now() < hit.expires) listing = hit.listing;
  else {
    // While a listing is under way, callers share it; once it settles it counts from then.
    const entry = { expires: Number.POSITIVE_INFINITY, listing: readListing(repo.url, app.config.dataDir, app.config.allowLocalRepos) };
    void entry.listing.then((l) => (entry.expires = Date.now() + (l.source ? OK_TTL_MS : FAILED_TTL_MS)));
    cache.set(repo.url, entry);
    listing = entry.listing;
  }
  return { repo: repo.name, defaultBranch: repo.defaultBranch, ...(await listing) };
}

/** Forgets cached listings (tests; a repository's URL changed). */
export function forgetRepoBranches(url?: string): void {
  if (url === undefined) cache.clear();
  else cache.delete(url);
}
