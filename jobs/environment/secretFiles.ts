import { PermanentRunError } from "../errors";
import { treeGitOptions, type AttemptTree } from "../git/attempt";
import { runGit } from "../git/exec";
import { pathRecord } from "./pathRecord";

/**
 * The environment's secret files (e.g. `.env` written from a variable) must never reach a
 * commit. They are excluded from the platform's `git add --all` (files.ts `excludeFromCommits`),
 * but a repository's own `.gitignore` outranks `info/exclude` (an agent can write `!.env`
 * there), and a file under another name is a different path. So the run's repository records
 * which paths are secret, and every commit of the run (final and checkpoint, jobs/git/commit.ts)
 * checks its index after staging and refuses to commit when one of them is in it. The record
 * lives in the run's repository, which nothing the run executes can write, and is rewritten by
 * each delivery that places the files.
 */

const secretFiles = pathRecord("agentdesk-secret-files", "secret files");

/** Records the secret files of this delivery (replacing an earlier delivery's list). */
export const recordSecretFiles = (gitDir: string, paths: readonly string[]): Promise<void> => secretFiles.write(gitDir, paths);

/** The recorded secret files; none when no environment placed any. */
export const readSecretFiles = (gitDir: string): Promise<string[]> => secretFiles.read(gitDir);

/**
 * Throws (the run fails, nothing is committed) when a secret file is in the attempt's index,
 * i.e. the commit being made would contain it. Call after staging, before writing the tree.
 */
export async function refuseStagedSecretFiles(tree: Pick<AttemptTree, "gitDir" | "workspace" | "indexFile">): Promise<void> {
  const secretPaths = await readSecretFiles(tree.gitDir);
  if (secretPaths.length === 0) return;
  // Literal pathspecs: a secret file named `*.env` must match itself only. A path names a
  // folder too, so `.env/x` (the secret moved into a folder of its name) is caught as well.
  const { stdout } = await runGit(["ls-files", "-z", "--cached", "--", ...secretPaths], treeGitOptions(tree, { GIT_LITERAL_PATHSPECS: "1" }));
  const staged = stdout.split("\0").filter(Boolean);
  if (staged.length === 0) return;
  const secret = secretPaths.find((p) => staged.some((s) => s === p || s.startsWith(`${p}/`))) ?? staged[0]!;
  throw new PermanentRunError(`the environment's secret file ${secret} would be committed; nothing was committed`);
}
