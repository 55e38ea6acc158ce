import fs from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { PermanentRunError } from "../errors";
import { treeGitOptions, type AttemptTree } from "../git/attempt";
import { runGit } from "../git/exec";
import { writeFileAtomic } from "../git/platformRepo";
import { readFileOrNull } from "../fsUtil";

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

const RECORD = "agentdesk-secret-files";
const record = z.object({ paths: z.array(z.string().min(1)) });

const recordFile = (gitDir: string) => path.join(gitDir, "info", RECORD);

/** Records the secret files of this delivery (replacing an earlier delivery's list). */
export async function recordSecretFiles(gitDir: string, paths: readonly string[]): Promise<void> {
  const file = recordFile(gitDir);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, JSON.stringify(record.parse({ paths: [...paths] })));
}

/** The recorded secret files; none when no environment placed any. */
export async function readSecretFiles(gitDir: string): Promise<string[]> {
  const text = await readFileOrNull(recordFile(gitDir));
  if (text === null) return [];
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // Not JSON: refused below like any other unreadable record.
  }
  const parsed = record.safeParse(json);
  // Refusing every commit is the safe reading of a record that cannot be read.
  if (!parsed.success) throw new PermanentRunError("the run's list of secret files is unreadable; nothing was committed");
  return parsed.data.paths;
}

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
