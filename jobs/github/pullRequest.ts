import { Octokit } from "@octokit/rest";

/**
 * One pull request per branch: an open one for the branch is looked up first and reused, so a
 * retried push job or a second push of the same run never opens a duplicate.
 */
export type PullRequestRequest = {
  apiUrl: string;
  /** "owner/name". */
  githubRepo: string;
  token: string;
  branch: string;
  baseBranch: string;
  title: string;
  body: string;
};

export async function ensurePullRequest(req: PullRequestRequest): Promise<{ url: string; created: boolean }> {
  const [owner, repo] = req.githubRepo.split("/") as [string, string];
  // No retries or throttling plugins: the push job's own retry covers a transient failure,
  // and the lookup first makes that retry safe.
  const octokit = new Octokit({ auth: req.token, baseUrl: req.apiUrl, userAgent: "AgentDesk", log: silentLog });
  const open = await octokit.rest.pulls.list({ owner, repo, head: `${owner}:${req.branch}`, state: "open", per_page: 1 });
  const existing = open.data[0];
  if (existing) return { url: existing.html_url, created: false };
  const created = await octokit.rest.pulls.create({
    owner,
    repo,
    title: req.title,
    body: req.body,
    head: req.branch,
    base: req.baseBranch,
  });
  return { url: created.data.html_url, created: true };
}

// Octokit logs request failures to the console by itself; the push job reports them instead.
const silentLog = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
