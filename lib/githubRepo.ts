import { z } from "zod";

/** A GitHub repository as the REST API names it: "owner/name". */
export const githubRepoName = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "must be owner/name, like acme/app");

// https://host/owner/name(.git), ssh://git@host/owner/name(.git), git@host:owner/name(.git)
const URL_FORMS = [
  /^(?:https?|ssh|git):\/\/(?:[^@/]+@)?([^/:]+)(?::\d+)?\/([^/]+)\/([^/]+?)(?:\.git)?\/?$/,
  /^[A-Za-z0-9._-]+@([A-Za-z0-9.-]+):([^/]+)\/([^/]+?)(?:\.git)?$/,
];

/** Hosts whose repositories pull requests can be opened on: github.com and GITHUB_API_URL's server. */
function githubHosts(githubApiUrl: string): Set<string> {
  const hosts = new Set(["github.com"]);
  const api = new URL(githubApiUrl).hostname;
  // api.github.com serves github.com; an Enterprise server serves its API on its own host.
  if (api !== "api.github.com") hosts.add(api);
  return hosts;
}

/** "owner/name" for a repository URL on GitHub, or null for anything else (a local path, another host). */
export function githubRepoFromUrl(url: string, githubApiUrl: string): string | null {
  for (const form of URL_FORMS) {
    const m = form.exec(url);
    if (!m) continue;
    const [, host, owner, name] = m;
    if (!githubHosts(githubApiUrl).has(host!.toLowerCase())) return null;
    const candidate = `${owner}/${name}`;
    return githubRepoName.safeParse(candidate).success ? candidate : null;
  }
  return null;
}
