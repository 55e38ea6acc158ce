import { pathKind } from "../paths";
import type { Arg } from "../shell/words";
import { flagValue, flagVerdicts, hasFlag, parseFlags, words, type FlagEffect, type FlagSpec, type ParsedArgs } from "./flags";
import { risky, type CommandContext, type Handler, type Verdict } from "./types";

/**
 * git, one subcommand at a time: each has its flag allow-list (an unknown flag asks) and, where
 * its operands or flags decide, a check. Subcommands not listed ask. Flags that run programs
 * (`--ext-diff`, `grep -O`, `rebase --exec`, `bisect run`) or write files (`log --output`,
 * `format-patch -o`) are named so a person sees them.
 */
type Sub = {
  flags: FlagSpec;
  check?: (parsed: ParsedArgs, ctx: CommandContext) => Verdict[];
  /** Flags end at the first operand: what follows is a command git runs (`bisect run cmd -x`). */
  runsCommand?: boolean;
};

const opt = (list: string) => words(list);
const riskyFlag = (why: string, value = false): FlagEffect => ({ kind: "risky", why, value });

// Options of the diff machinery (diff, log -p, show, format-patch…).
const DIFF: FlagSpec = {
  short: "pusuzwbRaWDNM",
  shortValue: "lSGUO",
  long: opt(`patch no-patch raw patch-with-raw patch-with-stat numstat shortstat summary name-only name-status
    compact-summary full-index binary no-renames no-rename-empty check minimal patience histogram indent-heuristic
    no-indent-heuristic ignore-space-at-eol ignore-space-change ignore-all-space ignore-blank-lines ignore-cr-at-eol
    text no-color no-ext-diff no-textconv exit-code quiet function-context irreversible-delete pickaxe-all
    pickaxe-regex find-copies-harder cached staged merge-base no-index no-color-moved no-prefix default-prefix
    no-relative cumulative ita-invisible-in-index ita-visible-in-index`),
  longValue: opt(`word-diff-regex ws-error-highlight inter-hunk-context src-prefix dst-prefix line-prefix diff-algorithm
    anchored diff-filter stat-width stat-name-width stat-graph-width stat-count output-indicator-new
    output-indicator-old output-indicator-context rotate-to skip-to ignore-matching-lines color-moved-ws`),
  longOptional: opt(`stat unified ignore-submodules color-moved color-words word-diff relative abbrev dirstat
    dirstat-by-file find-renames find-copies break-rewrites submodule color`),
  effects: {
    "--output": { kind: "write" },
    "--ext-diff": riskyFlag("runs the external diff drivers the configuration names (--ext-diff)"),
    "--textconv": riskyFlag("runs the text conversion filters the configuration names (--textconv)"),
  },
};

// Options that choose and show commits (log, show, shortlog, format-patch…).
const REVISIONS: FlagSpec = {
  short: "iEFPgcmtr",
  shortValue: "nL",
  numeric: true,
  long: opt(`oneline graph no-graph all abbrev-commit no-abbrev-commit reverse first-parent merges no-merges follow
    do-walk topo-order date-order author-date-order left-right cherry-pick cherry-mark cherry boundary
    simplify-by-decoration full-history dense sparse simplify-merges show-pulls parents children source use-mailmap
    mailmap no-mailmap log-size full-diff no-notes relative-date no-expand-tabs all-match invert-grep
    regexp-ignore-case basic-regexp extended-regexp fixed-strings perl-regexp no-max-parents no-min-parents
    remove-empty walk-reflogs stdin reflog single-worktree alternate-refs bisect not ignore-missing
    clear-decorations no-decorate count`),
  longValue: opt(`date format encoding since after until before author committer grep grep-reflog max-count skip
    max-parents min-parents exclude glob decorate-refs decorate-refs-exclude since-as-filter`),
  longOptional: opt(`branches tags remotes decorate no-walk ancestry-path pretty expand-tabs notes show-linear-break`),
};

const merge = (...specs: FlagSpec[]): FlagSpec => ({
  short: specs.map((s) => s.short ?? "").join(""),
  shortValue: specs.map((s) => s.shortValue ?? "").join(""),
  shortOptional: specs.map((s) => s.shortOptional ?? "").join(""),
  numeric: specs.some((s) => s.numeric),
  long: specs.flatMap((s) => s.long ?? []),
  longValue: specs.flatMap((s) => s.longValue ?? []),
  longOptional: specs.flatMap((s) => s.longOptional ?? []),
  effects: Object.assign({}, ...specs.map((s) => s.effects ?? {})),
});

const LOG = merge(REVISIONS, DIFF);
const noFlagWrites: Sub = { flags: LOG };

const GPG_WHY = "signs or verifies with gpg (runs the configured gpg program)";
const EDITOR_WHY = "opens an editor (runs the configured editor)";
const GPG = riskyFlag(GPG_WHY);
const EDITOR = riskyFlag(EDITOR_WHY);

const only = (cond: boolean, verdict: Verdict): Verdict[] => (cond ? [verdict] : []);
const firstOperand = (parsed: ParsedArgs) => parsed.operands[0]?.value ?? "";

/** `git bisect run cmd…`, `git submodule foreach cmd`: commands git runs, classified as commands. */
const runsOperands = (what: string, asShell: boolean) => (parsed: ParsedArgs, ctx: CommandContext): Verdict[] => {
  const command = parsed.operands.slice(1);
  if (!command.length) return [risky(`${what} without a command`)];
  if (asShell && command.length === 1 && !command[0]!.dynamic) ctx.script(command[0]!);
  else ctx.nested(command);
  return [risky(`${what}: \`${command.map((a) => a.value).join(" ")}\``)];
};

const SUBCOMMANDS: Record<string, Sub> = {
  status: {
    flags: {
      short: "sbvz",
      shortOptional: "u",
      long: opt("short branch show-stash long verbose no-column ahead-behind no-ahead-behind renames no-renames null"),
      longOptional: opt("porcelain untracked-files ignore-submodules ignored column find-renames"),
    },
  },
  log: noFlagWrites,
  show: noFlagWrites,
  whatchanged: noFlagWrites,
  shortlog: { flags: merge(LOG, { short: "nsec", long: opt("numbered summary email committer"), longOptional: ["group"] }) },
  reflog: { flags: LOG, check: (parsed) => only(!["", "show", "list", "exists"].includes(firstOperand(parsed)) && !parsed.operands[0]?.value.includes("@"), risky("expires or deletes reflog entries")) },
  diff: noFlagWrites,
  "diff-tree": { flags: merge(LOG, { short: "r", long: opt("root merge-base no-commit-id always") }) },
  "diff-index": noFlagWrites,
  "diff-files": noFlagWrites,
  "range-diff": { flags: merge(LOG, { longValue: ["creation-factor"], long: opt("no-dual-color left-only right-only") }) },
  "format-patch": {
    flags: merge(LOG, {
      short: "ksNq",
      shortValue: "v",
      long: opt(`stdout numbered no-numbered signoff no-signoff attach inline thread no-thread no-attach cover-letter
        no-cover-letter no-binary zero-commit base progress rfc keep-subject`),
      longValue: opt("start-number subject-prefix reroll-count to cc from in-reply-to suffix filename-max-length interdiff range-diff creation-factor"),
      effects: { "-o": { kind: "write" }, "--output-directory": { kind: "write" } },
    }),
  },
  grep: {
    flags: {
      short: "aiIvwlLcnhHzoqEGFPWpr",
      shortValue: "efABCm",
      numeric: true,
      long: opt(`cached no-index untracked no-exclude-standard exclude-standard recurse-submodules text no-textconv
        ignore-case word-regexp invert-match full-name extended-regexp basic-regexp perl-regexp fixed-strings line-number
        column files-with-matches name-only files-without-match null count break heading function-context show-function
        all-match quiet and or not no-color only-matching`),
      longValue: opt("max-depth threads after-context before-context context max-count"),
      longOptional: ["color"],
      effects: { "--textconv": DIFF.effects!["--textconv"]! },
    },
  },
  blame: {
    flags: {
      short: "bclnpstfesewMC",
      shortValue: "LS",
      long: opt("root show-stats progress no-progress score-debug show-name show-number show-email incremental porcelain line-porcelain reverse first-parent color-lines color-by-age"),
      longValue: opt("contents date ignore-rev ignore-revs-file encoding"),
      longOptional: ["abbrev"],
      effects: { "--textconv": DIFF.effects!["--textconv"]! },
    },
  },
  "cat-file": {
    flags: {
      short: "tsepz",
      long: opt("batch-all-objects follow-symlinks use-mailmap allow-unknown-type buffer unordered"),
      longValue: ["path"],
      longOptional: opt("batch batch-check batch-command"),
      effects: { "--textconv": DIFF.effects!["--textconv"]!, "--filters": riskyFlag("runs the configured content filters (--filters)") },
    },
  },
  branch: {
    flags: {
      short: "adDfilmMcCqrtv",
      shortValue: "u",
      long: opt(`list all remotes verbose quiet show-current no-column no-color no-abbrev ignore-case omit-empty delete
        force move copy create-reflog no-track unset-upstream recurse-submodules`),
      longValue: opt("points-at sort format set-upstream-to"),
      longOptional: opt("contains no-contains merged no-merged column color abbrev track"),
      effects: { "--edit-description": EDITOR },
    },
    check: (parsed) => {
      if (hasFlag(parsed, "-D", "-d", "--delete")) return [risky("deletes a branch")];
      return only(hasFlag(parsed, "-M", "-m", "--move", "-f", "--force", "-C", "-c", "--copy"), risky("renames, copies over or overwrites a branch"));
    },
  },
  tag: {
    flags: {
      short: "lafde",
      shortValue: "mF",
      shortOptional: "n",
      long: opt("annotate force delete no-column ignore-case create-reflog omit-empty"),
      longValue: opt("sort contains no-contains merged no-merged points-at format message file cleanup"),
      longOptional: opt("list column color"),
      effects: { "-s": GPG, "--sign": GPG, "-u": riskyFlag(GPG_WHY, true), "--local-user": riskyFlag(GPG_WHY, true), "-v": GPG, "--verify": GPG, "--edit": EDITOR, "-e": EDITOR },
    },
    check: (parsed) => only(hasFlag(parsed, "-d", "--delete", "-f", "--force"), risky("deletes or moves a tag")),
  },
  add: {
    flags: {
      short: "nvfipuAN",
      long: opt("dry-run verbose force interactive patch update all no-all no-ignore-removal ignore-removal intent-to-add refresh ignore-errors ignore-missing sparse renormalize pathspec-file-nul"),
      longValue: opt("chmod pathspec-from-file"),
      effects: { "-e": EDITOR, "--edit": EDITOR },
    },
  },
  commit: {
    flags: {
      short: "aqsvnzoip",
      shortValue: "mFCt",
      shortOptional: "u",
      long: opt(`all patch reset-author short branch porcelain long null signoff no-signoff no-verify verify allow-empty
        allow-empty-message no-edit amend no-post-rewrite include only pathspec-file-nul verbose quiet dry-run status
        no-status no-gpg-sign`),
      longValue: opt("reuse-message fixup squash file author date message template trailer cleanup pathspec-from-file"),
      longOptional: ["untracked-files"],
      effects: { "-S": GPG, "--gpg-sign": GPG, "-e": EDITOR, "--edit": EDITOR, "-c": riskyFlag(EDITOR_WHY, true), "--reedit-message": riskyFlag(EDITOR_WHY, true) },
    },
  },
  checkout: {
    flags: {
      short: "qfmlp",
      shortValue: "bB",
      long: opt("quiet progress no-progress force ours theirs no-track guess no-guess detach overwrite-ignore no-overwrite-ignore ignore-other-worktrees merge patch pathspec-file-nul recurse-submodules no-recurse-submodules overlay no-overlay"),
      longValue: opt("orphan conflict pathspec-from-file"),
      longOptional: ["track"],
    },
    check: (parsed) =>
      only(
        parsed.doubleDash || parsed.operands.some((a) => a.value === ".") || hasFlag(parsed, "-f", "--force", "--ours", "--theirs", "-p", "--patch"),
        risky("overwrites uncommitted changes in files (checkout --)"),
      ),
  },
  switch: {
    flags: {
      short: "dfmqt",
      shortValue: "cC",
      long: opt("detach guess no-guess force discard-changes merge quiet progress no-progress no-track ignore-other-worktrees recurse-submodules no-recurse-submodules"),
      longValue: opt("create force-create conflict orphan"),
      longOptional: ["track"],
    },
    check: (parsed) => only(hasFlag(parsed, "-f", "--force", "--discard-changes", "-C", "--force-create"), risky("discards uncommitted changes or resets a branch")),
  },
  restore: {
    flags: {
      short: "SWqpm",
      shortValue: "s",
      long: opt("staged worktree ours theirs merge ignore-unmerged overlay no-overlay quiet progress no-progress patch recurse-submodules pathspec-file-nul"),
      longValue: opt("source conflict pathspec-from-file"),
    },
    check: (parsed) => only(!hasFlag(parsed, "-S", "--staged") || hasFlag(parsed, "-W", "--worktree"), risky("discards uncommitted changes in files (restore)")),
  },
  reset: {
    flags: { short: "qpN", long: opt("soft mixed hard merge keep quiet no-quiet refresh no-refresh patch intent-to-add recurse-submodules pathspec-file-nul"), longValue: ["pathspec-from-file"] },
    check: (parsed) => only(hasFlag(parsed, "--hard", "--merge", "--keep"), risky("discards uncommitted changes (reset --hard)")),
  },
  stash: {
    flags: LOG,
    check: (parsed) => only(!["list", "show", ""].includes(firstOperand(parsed)), risky("stashes, drops or applies uncommitted changes")),
  },
  config: {
    flags: {
      short: "lz",
      long: opt("get get-all get-regexp get-urlmatch list global system local worktree show-origin show-scope name-only null bool int bool-or-int path expiry-date includes no-includes unset unset-all add replace-all fixed-value"),
      longValue: opt("blob type default comment"),
      effects: {
        "-f": { kind: "risky", why: "uses another configuration file (-f)", value: true },
        "--file": { kind: "risky", why: "uses another configuration file (--file)", value: true },
        "-e": EDITOR,
        "--edit": EDITOR,
        "--rename-section": riskyFlag("changes git configuration"),
        "--remove-section": riskyFlag("changes git configuration"),
      },
    },
    check: (parsed) => {
      const reads = hasFlag(parsed, "--get", "--get-all", "--get-regexp", "--get-urlmatch", "--list", "-l");
      const sub = firstOperand(parsed);
      const readsBySub = ["get", "list"].includes(sub);
      const oneName = parsed.operands.length === 1 && !hasFlag(parsed, "--unset", "--unset-all", "--add", "--replace-all");
      return only(!(reads || readsBySub || oneName), risky("changes git configuration (can make git run commands)"));
    },
  },
  bisect: {
    flags: {},
    runsCommand: true,
    check: (parsed, ctx) => {
      const sub = firstOperand(parsed);
      if (sub === "run") return runsOperands("runs a command on every commit it tests (bisect run)", false)(parsed, ctx);
      if (sub === "visualize" || sub === "view") return [risky("opens a history viewer (gitk)")];
      if (sub === "replay") return [risky("replays bisect commands from a file")];
      return [];
    },
  },
  "filter-branch": {
    flags: {
      long: opt("force f prune-empty"),
      longValue: opt("subdirectory-filter setup original state-branch"),
      effects: Object.fromEntries(
        ["env", "tree", "index", "parent", "msg", "commit", "tag-name"].map((f) => [`--${f}-filter`, { kind: "shell", what: `the ${f} filter` } as FlagEffect]),
      ),
    },
    check: () => [risky("rewrites history (filter-branch)")],
  },
  rebase: {
    flags: {
      short: "iqvnmfk",
      shortValue: "sX",
      long: opt(`interactive quiet verbose stat no-stat continue abort skip quit edit-todo show-current-patch root autosquash
        no-autosquash autostash no-autostash keep-empty no-keep-empty keep-base fork-point no-fork-point
        ignore-whitespace ignore-date committer-date-is-author-date reset-author-date signoff no-verify verify
        force-rebase no-ff apply merge update-refs no-update-refs reapply-cherry-picks no-reapply-cherry-picks`),
      longValue: opt("onto strategy strategy-option whitespace empty"),
      longOptional: ["rebase-merges"],
      effects: { "-x": { kind: "shell", what: "a command after each commit" }, "--exec": { kind: "shell", what: "a command after each commit" }, "-S": GPG, "--gpg-sign": GPG },
    },
    check: () => [risky("rewrites history (rebase)")],
  },
  submodule: {
    flags: { short: "q", long: opt("quiet recursive") },
    runsCommand: true,
    check: (parsed, ctx) =>
      firstOperand(parsed) === "foreach" ? runsOperands("runs a command in every submodule (submodule foreach)", true)(parsed, ctx) : [risky("uses the network (git submodule)")],
  },
  help: {
    flags: { short: "ag", long: opt("all guides config user-interfaces developer-interfaces no-verbose no-external-commands no-aliases") },
    // -w, -i and -m open a browser or a viewer named by the configuration; they are not listed.
  },
  merge: {
    flags: {
      short: "nqv",
      shortValue: "msX",
      long: opt("no-edit ff no-ff ff-only squash no-squash abort continue quit no-commit commit stat no-stat no-log signoff no-signoff allow-unrelated-histories no-verify verify autostash no-autostash quiet verbose progress no-progress no-rerere-autoupdate rerere-autoupdate"),
      longValue: opt("message strategy strategy-option cleanup into-name file"),
      longOptional: ["log"],
      effects: { "-S": GPG, "--gpg-sign": GPG, "-e": EDITOR, "--edit": EDITOR },
    },
  },
  "cherry-pick": {
    flags: {
      short: "nxsr",
      shortValue: "mX",
      long: opt("no-commit signoff ff continue abort skip quit allow-empty allow-empty-message keep-redundant-commits no-edit rerere-autoupdate no-rerere-autoupdate"),
      longValue: opt("mainline strategy strategy-option cleanup empty"),
      effects: { "-S": GPG, "--gpg-sign": GPG, "-e": EDITOR, "--edit": EDITOR },
    },
  },
  revert: {
    flags: {
      short: "ns",
      shortValue: "mX",
      long: opt("no-commit signoff continue abort skip quit no-edit reference rerere-autoupdate no-rerere-autoupdate"),
      longValue: opt("mainline strategy strategy-option cleanup"),
      effects: { "-S": GPG, "--gpg-sign": GPG, "-e": EDITOR, "--edit": EDITOR },
    },
  },
  apply: {
    flags: {
      short: "3RvqzN",
      shortValue: "pC",
      long: opt("check stat numstat summary index cached 3way reverse reject recount allow-empty no-add intent-to-add ignore-whitespace ignore-space-change inaccurate-eof unidiff-zero binary apply allow-binary-replacement verbose quiet"),
      longValue: opt("directory exclude include whitespace build-fake-ancestor"),
      effects: { "--unsafe-paths": riskyFlag("applies changes to paths outside the repository (--unsafe-paths)") },
    },
  },
  am: {
    flags: {
      short: "3skqcu",
      shortValue: "pC",
      long: opt("3way signoff keep keep-non-patch keep-cr no-keep-cr scissors no-scissors quiet utf8 no-utf8 abort continue skip resolved quit ignore-space-change ignore-whitespace reject committer-date-is-author-date ignore-date no-verify"),
      longValue: opt("whitespace directory exclude include patch-format resolvemsg empty quoted-cr"),
      effects: { "-S": GPG, "--gpg-sign": GPG, "-i": EDITOR, "--interactive": EDITOR },
    },
  },
  init: {
    flags: {
      short: "qb",
      long: opt("quiet bare"),
      longValue: opt("initial-branch object-format ref-format"),
      longOptional: ["shared"],
      effects: {
        "--template": riskyFlag("copies a template directory into .git (hooks that run on every commit)", true),
        "--separate-git-dir": riskyFlag("puts the repository somewhere else (--separate-git-dir)", true),
      },
    },
    check: (parsed, ctx) => {
      for (const dir of parsed.operands) ctx.writes(dir);
      return [];
    },
  },
  mv: {
    flags: { short: "fknv", long: opt("force dry-run verbose") },
    check: (parsed, ctx) => {
      for (const target of parsed.operands) ctx.writes(target);
      return [];
    },
  },
  clean: {
    flags: { short: "dfinqxX", shortValue: "e", long: opt("force interactive dry-run quiet"), longValue: ["exclude"] },
    check: (parsed) => only(!hasFlag(parsed, "-n", "--dry-run"), risky("deletes untracked files (clean)")),
  },
  worktree: { flags: { long: opt("porcelain verbose") }, check: (parsed) => only(firstOperand(parsed) !== "list", risky("adds or removes worktrees")) },
  remote: {
    flags: { short: "v", long: ["verbose"] },
    check: (parsed) => only(!["", "get-url"].includes(firstOperand(parsed)), risky("changes the repository's remotes or asks them (git remote)")),
  },
  notes: { flags: {}, check: (parsed) => only(!["", "list", "show"].includes(firstOperand(parsed)), risky("changes commit notes")) },
};

// Plumbing and queries with no flag that runs a program or writes a file: their arguments are
// revisions, paths, patterns and output formats.
// (hash-object runs clean filters and interpret-trailers runs trailer commands: not listed.)
const QUERIES = opt(`ls-files ls-tree rev-parse rev-list describe name-rev merge-base show-ref for-each-ref count-objects
  var check-ignore check-attr fsck cherry version show-branch check-ref-format get-tar-commit-id stripspace column`);
const NETWORK = opt("push fetch pull clone ls-remote send-email request-pull archive");
const ALWAYS_RISKY: Record<string, string> = {
  rm: "deletes files (git rm)",
  gc: "prunes repository objects",
  prune: "prunes repository objects",
  "filter-repo": "rewrites history",
  "update-ref": "moves refs directly",
  hook: "runs git hooks",
  difftool: "runs the configured diff tool",
  mergetool: "runs the configured merge tool",
  "verify-commit": "runs the configured gpg program",
  "verify-tag": "runs the configured gpg program",
  instaweb: "starts a web server",
  daemon: "starts a git server",
};

const GLOBAL: FlagSpec = {
  short: "pPvh",
  shortValue: "C",
  long: opt(`no-pager paginate bare no-replace-objects literal-pathspecs glob-pathspecs noglob-pathspecs icase-pathspecs
    no-optional-locks no-advice version help html-path man-path info-path`),
  longValue: opt("namespace list-cmds attr-source"),
  longOptional: ["exec-path"],
  effects: {
    "-c": riskyFlag("sets git configuration on the command line (can make git run commands)", true),
    "--config-env": riskyFlag("sets git configuration on the command line (can make git run commands)", true),
    "--git-dir": riskyFlag("points git at another repository (--git-dir)", true),
    "--work-tree": riskyFlag("points git at another work tree (--work-tree)", true),
  },
};

function globalVerdicts(parsed: ParsedArgs): Verdict[] {
  const verdicts: Verdict[] = [];
  if (parsed.flags.some((f) => f.flag === "--exec-path" && f.value)) verdicts.push(risky("runs git's commands from another directory (--exec-path)"));
  const dir = flagValue(parsed, "-C");
  if (dir && (dir.dynamic || pathKind(dir.value).kind !== "workspace")) verdicts.push(risky(`runs git in \`${dir.value}\`, outside the workspace`));
  return verdicts;
}

export const git: Handler = ({ args }, ctx) => {
  const global = parseFlags(GLOBAL, args, { stopAtOperand: true });
  const verdicts = [...flagVerdicts(GLOBAL, global, ctx), ...globalVerdicts(global)];
  const [head, ...rest] = global.operands;
  if (!head) return verdicts;
  if (head.dynamic) {
    ctx.cannotRead("runs a git subcommand only known at run time");
    return verdicts;
  }
  const name = head.value;
  if (name === "push") {
    const force = rest.some((a) => /^(-f|--force.*|\+.*)$/.test(a.value) || /^-[a-zA-Z]*f/.test(a.value));
    return [...verdicts, risky(force ? "force-pushes to a remote" : "pushes to a remote")];
  }
  if (NETWORK.includes(name)) return [...verdicts, risky(`uses the network (git ${name})`)];
  if (Object.hasOwn(ALWAYS_RISKY, name)) return [...verdicts, risky(ALWAYS_RISKY[name]!)];
  if (QUERIES.includes(name)) return verdicts;
  const known = name === "stage" ? "add" : name;
  const sub = Object.hasOwn(SUBCOMMANDS, known) ? SUBCOMMANDS[known] : undefined;
  if (!sub) return [...verdicts, risky(`runs \`git ${name}\`, which the policy does not know (it may be an alias that runs a command)`)];
  const own = name === "grep" ? grepPager(rest, ctx) : { args: rest, verdicts: [] };
  const parsed = parseFlags(sub.flags, own.args, { stopAtOperand: sub.runsCommand });
  return [...verdicts, ...own.verdicts, ...flagVerdicts(sub.flags, parsed, ctx), ...(sub.check?.(parsed, ctx) ?? [])];
};

/**
 * `git grep -O[pager]` / `--open-files-in-pager[=pager]` opens the matches with a program; the
 * program is optional and attached only, so it is read here rather than by the flag parser.
 */
function grepPager(args: Arg[], ctx: CommandContext): { args: Arg[]; verdicts: Verdict[] } {
  const verdicts: Verdict[] = [];
  const kept: Arg[] = [];
  let flagsEnded = false;
  for (const a of args) {
    flagsEnded ||= a.value === "--";
    if (!flagsEnded && a.dynamic) ctx.cannotRead(`has an argument only known at run time (\`${a.value}\`), which could be -O (a program to open the matches with)`);
    const pager = flagsEnded || a.dynamic ? null : pagerOf(a.value);
    if (pager === null) {
      kept.push(a);
      continue;
    }
    if (pager.before) kept.push({ value: pager.before, dynamic: false });
    if (pager.program) {
      verdicts.push(risky(`opens the matches with \`${pager.program}\` (-O)`));
      ctx.script({ value: pager.program, dynamic: false });
    } else ctx.cannotRead("opens the matches with the configured pager (-O)");
  }
  return { args: kept, verdicts };
}

/** `-O[cmd]`, `-nO[cmd]` (grouped after flags without values) or `--open-files-in-pager[=cmd]`. */
function pagerOf(word: string): { before: string; program: string } | null {
  const long = /^--open-files-in-pager(?:=(.*))?$/s.exec(word);
  if (long) return { before: "", program: long[1] ?? "" };
  if (!/^-[^-]/.test(word)) return null;
  for (let i = 1; i < word.length; i++) {
    const c = word[i]!;
    if (c === "O") return { before: i > 1 ? word.slice(0, i) : "", program: word.slice(i + 1) };
    if (!(SUBCOMMANDS.grep!.flags.short ?? "").includes(c)) return null;
  }
  return null;
}
