import path from "node:path";
import { z } from "zod";
import { emptyGitDir } from "../../git/emptyRepo";
import { GitError, runGit } from "../../git/exec";
import { maskSecrets } from "../../secrets";
import { capLine, leadingLines } from "./capping";
import { confinePath } from "./confine";
import { ToolFailure } from "./failure";
import type { AgentTool } from "./types";

export const SEARCH_MAX_MATCHES = 200;
export const SEARCH_MAX_OUTPUT_BYTES = 50 * 1024;
const SEARCH_MAX_LINE_CHARS = 300;
// git's output is read only this far (then git is stopped): far more than is ever shown.
const SEARCH_READ_BYTES = 1024 * 1024;
const SEARCH_TIMEOUT_MS = 60_000;

const input = z.object({
  pattern: z.string().min(1).describe("Extended regular expression (POSIX ERE, as grep -E), e.g. function\\s+main"),
  path: z.string().optional().describe("File or folder to search in, relative to the workspace root (default: everywhere)"),
});

export const searchTool: AgentTool<z.infer<typeof input>> = {
  name: "search",
  description:
    "Searches file contents of the workspace with `git grep -E` (tracked and untracked files, not ignored " +
    "ones, binary files skipped). Returns `file:line:text` lines, at most " +
    `${SEARCH_MAX_MATCHES} matches / ${SEARCH_MAX_OUTPUT_BYTES / 1024} KB; narrow with \`path\` or a more precise ` +
    "pattern when cut. The pattern is POSIX extended regex: use [[:space:]] or \\s, no lookarounds.",
  input,
  kind: "read",
  async run({ pattern, path: requested }, ctx) {
    const pathspec: string[] = [];
    if (requested !== undefined) {
      const target = await confinePath(ctx.workspace, requested);
      if (!target.exists) throw new ToolFailure(`${target.display}: not found`);
      // The real path: git refuses pathspecs that go through a symlink.
      pathspec.push(path.relative(target.workspaceReal, target.real) || ".");
    }
    let stdout: string;
    let readCut: boolean;
    try {
      ({ stdout, truncated: readCut } = await runGit(
        ["grep", "-n", "-I", "-E", "--untracked", "--no-color", "-e", pattern, "--", ...pathspec],
        {
          // An empty repository of ours over the workspace's files: the workspace's own `.git`
          // (the run's to write) is never read, so its config cannot redirect or run anything.
          gitDir: await emptyGitDir(),
          workTree: ctx.workspace,
          // A path such as ":(exclude)x" is a file name here, not pathspec magic.
          env: { GIT_LITERAL_PATHSPECS: "1" },
          signal: ctx.signal,
          timeoutMs: SEARCH_TIMEOUT_MS,
          maxStdoutBytes: SEARCH_READ_BYTES,
        },
      ));
    } catch (e) {
      if (!(e instanceof GitError)) throw e;
      // git grep answers "nothing found" with exit code 1 and no message.
      if (e.exitCode === 1 && e.stderr.trim() === "") return { ok: true, output: "no matches" };
      throw new ToolFailure(`search failed: ${e.stderr.trim() || e.message}`);
    }
    const matches = maskSecrets(stdout, ctx.secrets).split("\n");
    if (matches[matches.length - 1] === "") matches.pop();
    // A line cut off by the read limit is incomplete: drop it.
    if (readCut) matches.pop();
    const { kept } = leadingLines(
      matches.slice(0, SEARCH_MAX_MATCHES).map((line) => capLine(line, SEARCH_MAX_LINE_CHARS)),
      SEARCH_MAX_OUTPUT_BYTES,
    );
    if (kept.length === 0) return { ok: true, output: "no matches" };
    if (!readCut && kept.length === matches.length) return { ok: true, output: kept.join("\n") };
    const notShown = matches.length - kept.length;
    const more = readCut ? `at least ${Math.max(1, notShown)}` : `${notShown}`;
    return {
      ok: true,
      output: `${kept.join("\n")}\n… ${more} more matches not shown; narrow the search with path or a more precise pattern`,
      truncated: true,
    };
  },
};
