import type { Arg } from "../shell/words";
import { hasLong, hasOption, hasShort, operands, subcommand } from "./argv";
import { risky, type Handler, type Verdict } from "./types";

const READ_ONLY = new Set([
  "status", "log", "diff", "show", "blame", "annotate", "grep", "ls-files", "ls-tree", "rev-parse", "rev-list",
  "describe", "shortlog", "reflog", "cat-file", "name-rev", "merge-base", "show-ref", "for-each-ref", "whatchanged",
  "cherry", "count-objects", "verify-commit", "verify-tag", "check-ignore", "check-attr", "range-diff", "help",
  "version", "var", "diff-tree", "diff-files", "diff-index", "fsck",
]);
// Local changes to the run's own branch: the whole result is reviewed as a diff before any push.
const LOCAL_WRITES = new Set(["add", "commit", "init", "apply", "am", "merge", "cherry-pick", "revert", "switch", "mv", "notes", "format-patch", "bisect", "stage"]);
const NETWORK = new Set(["push", "fetch", "pull", "clone", "ls-remote", "submodule", "send-email", "request-pull", "archive"]);

const GLOBAL_WITH_VALUE = new Set(["-C", "--git-dir", "--work-tree", "--namespace", "--exec-path"]);

const only = (cond: boolean, verdict: Verdict): Verdict[] => (cond ? [verdict] : []);

function branchVerdicts(rest: Arg[]): Verdict[] {
  if (hasOption(rest, "D", null) || hasOption(rest, "d", "delete")) return [risky("deletes a branch")];
  return only(hasOption(rest, "M", null) || hasOption(rest, "m", "move") || hasShort(rest, "f") || hasLong(rest, "force"), risky("renames or overwrites a branch"));
}

const SUBCOMMANDS: Record<string, (rest: Arg[]) => Verdict[]> = {
  branch: branchVerdicts,
  tag: (rest) => only(hasOption(rest, "d", "delete") || hasOption(rest, "f", "force"), risky("deletes or moves a tag")),
  reset: (rest) => only(hasLong(rest, "hard") || hasLong(rest, "merge") || hasLong(rest, "keep"), risky("discards uncommitted changes (reset --hard)")),
  clean: (rest) => only(!hasOption(rest, "n", "dry-run"), risky("deletes untracked files (clean)")),
  checkout: (rest) =>
    only(
      rest.some((a) => a.value === "--" || a.value === ".") || hasOption(rest, "f", "force") || hasLong(rest, "ours") || hasLong(rest, "theirs"),
      risky("overwrites uncommitted changes in files (checkout --)"),
    ),
  restore: (rest) => only(!hasOption(rest, "S", "staged") || hasOption(rest, "W", "worktree"), risky("discards uncommitted changes in files (restore)")),
  rebase: () => [risky("rewrites history (rebase)")],
  stash: (rest) => only(!["list", "show", ""].includes(operands(rest)[0]?.value ?? ""), risky("stashes, drops or applies uncommitted changes")),
  remote: (rest) => only(!["", "show", "get-url", "-v"].includes(rest[0]?.value ?? ""), risky("changes the repository's remotes")),
  config: (rest) =>
    only(
      !(hasLong(rest, "get") || hasLong(rest, "list") || hasShort(rest, "l") || hasLong(rest, "get-all") || (operands(rest).length === 1 && !rest.some((a) => a.value.startsWith("--unset")))),
      risky("changes git configuration (can make git run commands)"),
    ),
  rm: () => [risky("deletes files (git rm)")],
  gc: () => [risky("prunes repository objects")],
  prune: () => [risky("prunes repository objects")],
  "filter-branch": () => [risky("rewrites history")],
  "filter-repo": () => [risky("rewrites history")],
  "update-ref": () => [risky("moves refs directly")],
  worktree: (rest) => only(rest[0]?.value !== "list", risky("adds or removes worktrees")),
  hook: () => [risky("runs git hooks")],
};

export const git: Handler = ({ args }) => {
  // `-c name=value` can set core.pager, core.sshCommand or an alias: it runs commands.
  const verdicts: Verdict[] = args.some((a) => a.value === "-c" || a.value.startsWith("--config-env"))
    ? [risky("sets git configuration on the command line (can make git run commands)")]
    : [];
  const { sub, rest } = subcommand(args, new Set([...GLOBAL_WITH_VALUE, "-c"]));
  if (sub === "" || READ_ONLY.has(sub) || LOCAL_WRITES.has(sub)) return verdicts;
  if (sub === "push") return [...verdicts, risky(hasOption(rest, "f", "force") || rest.some((a) => a.value.startsWith("+")) ? "force-pushes to a remote" : "pushes to a remote")];
  if (NETWORK.has(sub)) return [...verdicts, risky(`uses the network (git ${sub})`)];
  const check = SUBCOMMANDS[sub];
  if (check) return [...verdicts, ...check(rest)];
  return [...verdicts, risky(`runs \`git ${sub}\`, which the policy does not know`)];
};
