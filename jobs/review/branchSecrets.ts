import { createReadStream } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { knownSecrets, type Config, type NamedSecret } from "../../lib/config";
import type { EnvironmentSpec } from "../../lib/contracts/environment";
import type { SecretFinding } from "../../lib/events";
import { environmentSecrets } from "../environment/secrets";
import { runGit } from "../git/exec";
import { secretPatterns } from "./secretPatterns";
import { DiffSecretScanner } from "./secretScan";

/**
 * Push protection's view of a branch, in the job process (the only place that knows the
 * values). Every diff is the whole thing, written by git to a file and read line by line, not
 * the capped patch the review shows.
 */
type Repo = { gitDir?: string; cwd?: string };

/** A push walking more history than this is refused rather than scanned for minutes. */
const MAX_COMMITS = 1000;

// Whatever the repository's config says (prefixes, relative paths, external diff programs,
// text conversion, binary detection): plain added lines with their new line numbers.
const DIFF_OPTIONS = [
  "--no-ext-diff",
  "--no-textconv",
  "--no-color",
  "--text",
  "-U0",
  "--find-renames",
  "--src-prefix=a/",
  "--dst-prefix=b/",
  "--no-relative",
];

/**
 * The secrets this job process holds for a run: the repository's credential, the model key,
 * every variable whose name says it is a secret, and what the repository's environment reads
 * (its setup's variables, its files' contents: jobs/environment/secrets.ts). Longest first.
 */
export function secretsOfRun(
  config: Pick<Config, "anthropicApiKey">,
  credentialEnv: string | null | undefined,
  environment?: EnvironmentSpec | null,
): NamedSecret[] {
  const held = knownSecrets(credentialEnv ? [credentialEnv] : []);
  const key = config.anthropicApiKey;
  if (key && key.length >= 6 && !held.some((s) => s.value === key)) held.push({ name: "ANTHROPIC_API_KEY", value: key });
  for (const secret of environmentSecrets(environment)) if (!held.some((s) => s.value === secret.value)) held.push(secret);
  return held.sort((a, b) => b.value.length - a.value.length);
}

/**
 * Secrets in what a branch adds over its base: the final diff (its file and line numbers are
 * what the reviewer sees), and when the branch has several commits each commit's own changes,
 * since a push sends them all (a secret added in one round and removed in the next is still
 * in the history).
 */
export async function findSecretsInBranch(repo: Repo, baseSha: string, headSha: string, secrets: readonly NamedSecret[]): Promise<SecretFinding[]> {
  if (secrets.length === 0) return [];
  const commits = await commitsIn(repo, [`${baseSha}..${headSha}`]);
  const diffs = [["diff", ...DIFF_OPTIONS, baseSha, headSha]];
  if (commits.length > 1) diffs.push(...commits.map(commitDiff));
  return scanDiffs(repo, diffs, secrets);
}

/**
 * Secrets in the commits a push of `headSha` would send: those the remote does not have. The
 * run's repository borrows from a freshly fetched mirror, whose refs (`--alternate-refs`) are
 * the remote's branches: no commit they reach is scanned.
 */
export async function findSecretsToPush(runRepo: string, headSha: string, secrets: readonly NamedSecret[]): Promise<SecretFinding[]> {
  if (secrets.length === 0) return [];
  const commits = await commitsIn({ gitDir: runRepo }, [headSha, "--not", "--alternate-refs"]);
  return scanDiffs({ gitDir: runRepo }, commits.map(commitDiff), secrets);
}

async function commitsIn(repo: Repo, range: string[]): Promise<string[]> {
  const { stdout } = await runGit(["rev-list", `--max-count=${MAX_COMMITS + 1}`, ...range, "--"], repo);
  const commits = stdout.split("\n").filter(Boolean);
  if (commits.length > MAX_COMMITS) {
    throw new Error(`the branch adds more than ${MAX_COMMITS} commits; they cannot all be checked for secrets`);
  }
  return commits;
}

// One commit's own changes (against each parent for a merge, where a resolution can add lines).
const commitDiff = (sha: string) => ["diff-tree", "-r", "-p", "-m", "--root", "--no-commit-id", ...DIFF_OPTIONS, sha];

async function scanDiffs(repo: Repo, diffs: string[][], secrets: readonly NamedSecret[]): Promise<SecretFinding[]> {
  const scanner = new DiffSecretScanner(secretPatterns(secrets));
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "agentdesk-secret-scan-"));
  try {
    for (const args of diffs) {
      if (scanner.full) break;
      const file = path.join(dir, "diff");
      // `--output` rather than stdout: the diff may be far larger than what should sit in memory.
      await runGit([...args, `--output=${file}`, "--"], repo);
      await readLines(file, (line) => scanner.line(line));
      scanner.endDiff();
      await fs.rm(file, { force: true });
    }
    return scanner.end();
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** Calls `onLine` for each `\n`-separated line, read as latin1 (bytes kept as they are). */
async function readLines(file: string, onLine: (line: string) => void): Promise<void> {
  let rest = "";
  for await (const chunk of createReadStream(file, { encoding: "latin1" })) {
    const text = rest + (chunk as string);
    const lines = text.split("\n");
    rest = lines.pop()!;
    for (const line of lines) onLine(line);
  }
  if (rest) onLine(rest);
}
