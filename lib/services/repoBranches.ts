import type { App } from "../server/app";
import { requestRepoCheck } from "./repoCheckRequest";
import type { Principal } from "./principal";
import { repoFor } from "./repos";

/**
 * The branches of a registered repository, for the New run form's base-branch picker. A job
 * process lists them (`git ls-remote`, the request "Test connection" makes:
 * lib/services/repoCheckRequest.ts), with the repository's credential and the git rules of a
 * run's fetch, so a private repository lists too; the web holds no credential and runs no git
 * against a remote. When the remote cannot be listed the answer says why in git's words
 * (`source: null`) and the form takes a typed name; when no job process answers, 503.
 *
 * Cached per repository (URL and credential variable) for a minute (a failed listing for
 * 15 s), so opening the form is quick and a busy form does not hammer the remote.
 */
export type RepoBranches = {
  repo: string;
  defaultBranch: string;
  branches: string[];
  /** "remote" when listed; null when the remote could not be listed (then `error` says why). */
  source: "remote" | null;
  error?: string;
};

const OK_TTL_MS = 60_000;
const FAILED_TTL_MS = 15_000;
/** The job process gives git 20 s (jobs/repoCheck.ts); a little more for the queue's round trip. */
const WAIT_MS = 25_000;

type Listing = Pick<RepoBranches, "branches" | "source" | "error">;
type Entry = { url: string; expires: number; listing: Promise<Listing> };
const cache = new Map<string, Entry>();

async function readListing(
  app: Pick<App, "redis" | "config">,
  repo: { url: string; credentialEnv: string | null; defaultBranch: string },
  waitMs: number,
): Promise<Listing> {
  const payload = { url: repo.url, credentialEnv: repo.credentialEnv, defaultBranch: repo.defaultBranch };
  const result = await requestRepoCheck(app, payload, "list the repository's branches", waitMs);
  if (result.ok) return { branches: result.branchNames, source: "remote" };
  const reason = result.credentialMissing
    ? "the job process lacks the repository's credential variable"
    : (result.error ?? "git ls-remote failed").split("\n").find((l) => l.trim()) ?? "git ls-remote failed";
  return { branches: [], source: null, error: `the branches could not be listed: ${reason.slice(0, 300)}` };
}

/** Members of a repository's team may start runs on it, so may list its branches. */
export async function listRepoBranches(app: Pick<App, "db" | "redis" | "config">, principal: Principal, name: string, waitMs = WAIT_MS): Promise<RepoBranches> {
  const repo = await repoFor(app, principal, name, "read");
  const key = JSON.stringify([repo.id, repo.url, repo.credentialEnv]);
  let entry = cache.get(key);
  if (!entry || Date.now() >= entry.expires) {
    // While a listing is under way, callers share it; once it settles it counts from then.
    const fresh: Entry = { url: repo.url, expires: Number.POSITIVE_INFINITY, listing: readListing(app, repo, waitMs) };
    fresh.listing.then(
      (l) => (fresh.expires = Date.now() + (l.source ? OK_TTL_MS : FAILED_TTL_MS)),
      // No job process answered: nothing learnt about the remote, so nothing to keep.
      () => cache.get(key) === fresh && cache.delete(key),
    );
    cache.set(key, (entry = fresh));
  }
  return { repo: repo.name, defaultBranch: repo.defaultBranch, ...(await entry.listing) };
}

/** Forgets cached listings: all of them, or those of one repository URL (tests). */
export function forgetRepoBranches(url?: string): void {
  for (const [key, entry] of cache) if (url === undefined || entry.url === url) cache.delete(key);
}
