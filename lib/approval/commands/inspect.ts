import { HELP, words, type ParsedArgs } from "./flags";
import { anyArguments, specHandlers, type CommandSpec } from "./specs";
import { otherProcesses, risky, type CommandContext, type Handler, type Verdict } from "./types";

// Read-only inspection: each command's flags are an allow-list (flags.ts); a flag not listed
// asks. Writing their output somewhere is judged separately, as a redirection.

const ls: CommandSpec = {
  short: "1aAbBcCdfFgGhHiklLmnNopqQrRsStuUvxXZ",
  shortValue: "ITw",
  long: [...HELP, ...words("all almost-all author escape directory dired file-type full-time group-directories-first no-group human-readable si dereference-command-line dereference-command-line-symlink-to-dir hide-control-chars show-control-chars inode kibibytes dereference literal numeric-uid-gid quote-name recursive reverse size zero context")],
  longValue: words("block-size format hide ignore indicator-style quoting-style sort tabsize time time-style width"),
  longOptional: words("color classify hyperlink"),
};

const grep: CommandSpec = {
  short: "EFGPiyvwxcLloqsbHhnTZzaIrRU",
  shortValue: "efmABCDd",
  numeric: true,
  long: [...HELP, ...words("extended-regexp fixed-strings basic-regexp perl-regexp ignore-case no-ignore-case invert-match word-regexp line-regexp count files-without-match files-with-matches only-matching quiet silent no-messages byte-offset with-filename no-filename null null-data line-buffered initial-tab text recursive dereference-recursive binary no-group-separator line-number")],
  longValue: words("regexp file max-count label binary-files devices directories exclude exclude-from exclude-dir include after-context before-context context group-separator"),
  longOptional: words("color colour"),
};

// ripgrep runs programs for `--pre` (a preprocessor per file) and `--hostname-bin`.
const rg: CommandSpec = {
  short: "abcFHhiIlLnNopPqsSuUvVwxz0.",
  shortValue: "ABCdeEfgjmMrtT",
  long: [...HELP, ...words("hidden no-hidden no-ignore ignore no-ignore-vcs no-ignore-parent no-ignore-dot no-ignore-global no-ignore-files no-ignore-exclude no-heading heading line-number no-line-number column no-column count count-matches files files-with-matches files-without-match fixed-strings ignore-case smart-case case-sensitive invert-match word-regexp line-regexp multiline multiline-dotall follow no-follow json vimgrep only-matching pretty pcre2 no-pcre2 no-messages null null-data quiet sort-files stats text trim type-list unrestricted with-filename no-filename search-zip no-config byte-offset passthru passthrough crlf binary no-binary max-columns-preview no-unicode one-file-system debug trace auto-hybrid-regex include-zero no-require-git block-buffered line-buffered glob-case-insensitive")],
  longValue: words("type type-not glob iglob max-count max-depth max-filesize max-columns context after-context before-context regexp file replace encoding sort sortr threads type-add type-clear colors color path-separator context-separator field-match-separator field-context-separator engine ignore-file dfa-size-limit regex-size-limit pre-glob generate hyperlink-format"),
  effects: {
    "--pre": { kind: "program", what: "a preprocessor for every file" },
    "--hostname-bin": { kind: "program", what: "a program" },
  },
};

const head: CommandSpec = { short: "qvz", shortValue: "cn", numeric: true, long: [...HELP, ...words("quiet silent verbose zero-terminated")], longValue: words("bytes lines") };
const tail: CommandSpec = {
  short: "fFqvz",
  shortValue: "cns",
  numeric: true,
  long: [...HELP, ...words("retry quiet silent verbose zero-terminated")],
  longValue: words("bytes lines max-unchanged-stats pid sleep-interval"),
  longOptional: ["follow"],
};

// Commands that write their output to a file named by an operand.
const writesOperand =
  (index: number) =>
  (parsed: ParsedArgs, ctx: CommandContext): Verdict[] => {
    const target = parsed.operands[index];
    if (target && target.value !== "-") ctx.writes(target);
    return [];
  };

const diff: CommandSpec = {
  short: "abBcdeEilnNpPqrsStTuvwyZ",
  shortValue: "CDFIWxXLU",
  numeric: true,
  long: [...HELP, ...words("text ignore-space-change ignore-blank-lines ignore-all-space ignore-case ignore-tab-expansion ignore-trailing-space ignore-file-name-case no-ignore-file-name-case minimal speed-large-files brief report-identical-files recursive new-file unidirectional-new-file side-by-side suppress-common-lines left-column show-c-function expand-tabs initial-tab strip-trailing-cr normal ed rcs paginate suppress-blank-empty no-dereference")],
  longOptional: words("context unified color"),
  longValue: words("label ifdef show-function-line ignore-matching-lines starting-file width exclude exclude-from from-file to-file line-format old-line-format new-line-format unchanged-line-format old-group-format new-group-format changed-group-format unchanged-group-format horizon-lines tabsize palette"),
};

// less runs commands typed at it (`!cmd`, `|`), and its start-up command (`+cmd`) is one.
const LESS_START = /^\+(\d+|[GgF]|\/[^!|]*|\?[^!|]*)$/;
const pagerStart = (parsed: ParsedArgs): Verdict[] => {
  const start = parsed.operands.find((a) => a.value.startsWith("+") && !LESS_START.test(a.value));
  return start ? [risky(`runs the start-up command \`${start.value}\` (a pager command can run programs)`)] : [];
};
const less: CommandSpec = {
  short: "aAbBcCdeEfFgGiIJKLmMnNqQrRsSuUVwWX~",
  shortValue: "hjpPtTxyz#",
  long: [...HELP, ...words("quit-if-one-screen no-init RAW-CONTROL-CHARS raw-control-chars chop-long-lines LINE-NUMBERS line-numbers ignore-case IGNORE-CASE squeeze-blank-lines quit-at-eof QUIT-AT-EOF no-lessopen long-prompt silent quiet mouse no-keypad tilde")],
  longValue: words("pattern prompt tabs shift jump-target"),
  effects: {
    "-o": { kind: "write" },
    "-O": { kind: "write" },
    "--log-file": { kind: "write" },
    "--LOG-FILE": { kind: "write" },
    "-k": { kind: "risky", why: "reads a key-binding file, which can set commands to run (-k)", value: true },
    "--lesskey-file": { kind: "risky", why: "reads a key-binding file, which can set commands to run", value: true },
  },
  check: pagerStart,
};
const more: CommandSpec = { short: "dflcpsue", shortValue: "n", numeric: true, long: [...HELP, ...words("silent logical no-pause print-over clean-print squeeze plain exit-on-eof")], longValue: ["lines"], check: pagerStart };

// man runs a pager (-P), a browser (-H) and reads configuration that can name them (-C).
const man: CommandSpec = {
  short: "aDdfhiIkKlLuVwWcZt",
  shortValue: "emMrRsSEp",
  long: [...HELP, ...words("all debug default whatis apropos global-apropos local-file where path location where-cat location-cat catman update no-subpages regex wildcard names-only ignore-case match-case no-hyphenation no-justification ditroff")],
  longValue: words("extension manpath sections systems locale encoding recode prompt preprocessor warnings"),
  effects: {
    "-P": { kind: "program", what: "the pager" },
    "--pager": { kind: "program", what: "the pager" },
    "-H": { kind: "risky", why: "opens a web browser (-H)" },
    "--html": { kind: "risky", why: "opens a web browser (--html)" },
    "-C": { kind: "risky", why: "reads a man configuration file, which can name the pager (-C)", value: true },
    "--config-file": { kind: "risky", why: "reads a man configuration file, which can name the pager", value: true },
    "-X": { kind: "risky", why: "starts a display program (-X)" },
    "-T": { kind: "risky", why: "formats through a chosen troff device (-T)", value: true },
  },
};

// jq only computes (no file writes, no programs); `--arg name value` takes two words, the
// second read as an operand here, which is harmless: jq's operands are a filter and inputs.
const jq: CommandSpec = {
  short: "rjcnesSCMaRhVL",
  shortValue: "fL",
  long: [...HELP, ...words("raw-output raw-output0 join-output ascii-output compact-output null-input exit-status slurp sort-keys color-output monochrome-output tab seq stream stream-errors raw-input unbuffered args jsonargs build-configuration")],
  longValue: words("indent arg argjson slurpfile rawfile from-file"),
};

// yq edits its files in place with -i: the files after the expression are writes.
const yq: CommandSpec = {
  short: "CeMNPrjvhVi",
  shortValue: "opIsf",
  long: [...HELP, ...words("colors exit-status no-colors null-input prettyPrint unwrapScalar no-doc verbose inplace")],
  longValue: words("output-format input-format indent split-exp front-matter expression"),
  check: (parsed, ctx) => {
    if (parsed.flags.some((f) => f.flag === "-i" || f.flag === "--inplace")) for (const file of parsed.operands.slice(1)) ctx.writes(file);
    return [];
  },
};

const specs: Record<string, CommandSpec> = {
  ls,
  ll: ls,
  la: ls,
  dir: ls,
  cat: { short: "AbeEnstTuv", long: [...HELP, ...words("show-all number-nonblank show-ends number squeeze-blank show-tabs show-nonprinting")] },
  head,
  tail,
  grep,
  egrep: grep,
  fgrep: grep,
  zgrep: grep,
  rg,
  wc: { short: "clmwL", long: [...HELP, ...words("bytes chars lines words max-line-length")], longValue: words("files0-from total") },
  diff,
  colordiff: diff,
  cmp: { short: "blsv", shortValue: "in", long: [...HELP, ...words("print-bytes verbose quiet silent")], longValue: words("ignore-initial bytes") },
  comm: { short: "123z", long: [...HELP, ...words("check-order nocheck-order total zero-terminated")], longValue: ["output-delimiter"] },
  uniq: {
    short: "cdDiuz",
    shortValue: "fsw",
    long: [...HELP, ...words("count repeated unique ignore-case zero-terminated")],
    longValue: words("skip-fields skip-chars check-chars"),
    longOptional: words("all-repeated group"),
    check: writesOperand(1),
  },
  cut: { short: "snz", shortValue: "bcdf", long: [...HELP, ...words("complement only-delimited zero-terminated")], longValue: words("bytes characters delimiter fields output-delimiter") },
  tr: { short: "cCdst", long: [...HELP, ...words("complement delete squeeze-repeats truncate-set1")] },
  paste: { short: "sz", shortValue: "d", long: [...HELP, ...words("serial zero-terminated")], longValue: ["delimiters"] },
  join: { short: "iz", shortValue: "aejotv12", long: [...HELP, ...words("ignore-case check-order nocheck-order header zero-terminated")] },
  column: { short: "tnxeJLdlrHhV", shortValue: "scoNROEWTH", long: [...HELP, ...words("table fillrows json keep-empty-lines")] },
  fold: { short: "bs", shortValue: "w", long: [...HELP, ...words("bytes spaces")], longValue: ["width"] },
  fmt: { short: "cstu", shortValue: "pwg", numeric: true, long: [...HELP, ...words("crown-margin split-only tagged-paragraph uniform-spacing")], longValue: words("prefix width goal") },
  nl: { short: "p", shortValue: "bdfhilnsvw", long: [...HELP, ...["no-renumber"]], longValue: words("body-numbering section-delimiter footer-numbering header-numbering line-increment join-blank-lines number-format number-separator starting-line-number number-width") },
  tac: { short: "br", shortValue: "s", long: [...HELP, ...words("before regex")], longValue: ["separator"] },
  rev: {},
  pwd: { short: "LP" },
  realpath: { short: "eLmPqsz", long: [...HELP, ...words("canonicalize-existing canonicalize-missing logical physical quiet strip no-symlinks zero")], longValue: words("relative-to relative-base") },
  readlink: { short: "efmnqsvz", long: [...HELP, ...words("canonicalize canonicalize-existing canonicalize-missing no-newline quiet silent verbose zero")] },
  stat: { short: "LftZ", shortValue: "c", long: [...HELP, ...words("dereference file-system terse")], longValue: words("format printf"), longOptional: ["cached"] },
  file: { short: "bcdEhiklLnNprsSvz0", shortValue: "efFmP", long: [...HELP, ...words("brief checking-printout debug dereference no-dereference keep-going list mime mime-type mime-encoding apple extension no-buffer no-pad preserve-date raw special-files uncompress uncompress-noreport print0")], longValue: words("exclude exclude-quiet files-from separator magic-file parameter") },
  du: { short: "0abcDhHklLmPsSx", shortValue: "BdtX", long: [...HELP, ...words("null all apparent-size bytes total dereference-args human-readable inodes dereference count-links no-dereference summarize separate-dirs si one-file-system")], longValue: words("block-size max-depth threshold exclude-from exclude time-style files0-from"), longOptional: ["time"] },
  df: { short: "ahHiklPTv", shortValue: "Btx", long: [...HELP, ...words("all human-readable si inodes local no-sync sync portability print-type total")], longValue: words("block-size type exclude-type"), longOptional: ["output"] },
  tree: {
    short: "adlfxpsugDFqNQvtcrCAS",
    shortValue: "LPIHT",
    long: [...HELP, ...words("noreport dirsfirst filesfirst gitignore prune du si matchdirs ignore-case info nolinks fromfile inodes device")],
    longValue: words("charset sort filelimit timefmt"),
    effects: { "-o": { kind: "write" } },
  },
  strings: { short: "adfowhv", shortValue: "nteTs", numeric: true, long: [...HELP, ...words("all print-file-name")], longValue: words("bytes radix encoding target output-separator") },
  base64: { short: "di", shortValue: "w", long: [...HELP, ...words("decode ignore-garbage")], longValue: ["wrap"] },
  base32: { short: "di", shortValue: "w", long: [...HELP, ...words("decode ignore-garbage")], longValue: ["wrap"] },
  iconv: { short: "cls", shortValue: "ft", long: [...HELP, ...words("list silent")], longValue: words("from-code to-code"), effects: { "-o": { kind: "write" }, "--output": { kind: "write" } } },
  xxd: { short: "abCEeiprudhv", shortValue: "cglonsR", long: [...HELP, ...["autoskip"]], check: writesOperand(1) },
  od: { short: "bcdfilosvx", shortValue: "AjNStw", long: [...HELP, ...words("output-duplicates traditional")], longValue: words("address-radix skip-bytes read-bytes format strings width endian") },
  hexdump: { short: "bcCdovx", shortValue: "efns" },
  date: {
    short: "uR",
    shortValue: "dfr",
    shortOptional: "I",
    long: [...HELP, ...words("utc universal rfc-2822 rfc-email debug")],
    longValue: words("date file reference"),
    longOptional: words("iso-8601 rfc-3339 resolution"),
    effects: { "-s": { kind: "risky", why: "sets the system clock", value: true }, "--set": { kind: "risky", why: "sets the system clock", value: true } },
  },
  uname: { short: "asnrvmpio", long: [...HELP, ...words("all kernel-name nodename kernel-release kernel-version machine processor hardware-platform operating-system")] },
  hostname: {
    short: "aAdfiIsy",
    long: [...HELP, ...words("alias all-fqdns domain fqdn long ip-address all-ip-addresses short yp nis")],
    effects: { "-F": { kind: "risky", why: "sets the host name from a file", value: true }, "--file": { kind: "risky", why: "sets the host name from a file", value: true } },
    check: (parsed) => (parsed.operands.length ? [risky("sets the host name")] : []),
  },
  info: { short: "akwR", shortValue: "dfnO", long: [...HELP, ...words("all apropos raw-escapes where show-options vi-keys")], longValue: words("directory file node index-search init-file"), effects: { "-o": { kind: "write" }, "--output": { kind: "write" } } },
  less,
  zless: less,
  more,
  man,
  jq,
  yq,
  shellcheck: { short: "axhV", shortValue: "CefiosSPW", long: [...HELP, ...words("check-sourced external-sources list-optional norc")], longValue: words("color exclude format include enable rcfile severity shell source-path wiki-link-count") },
};

// Their arguments are data: text to print, numbers, names to look up, paths to take apart.
const ANY_ARGUMENTS = words(`
  echo printf true false test [ basename dirname which type whereis whoami id groups cal seq sleep expr bc factor
  yes numfmt tty nproc free uptime arch logname users who w lscpu lsblk getconf locale tput clear pathchk tsort
  apropos whatis help cd pushd popd shopt read wait exit return shift : local export declare typeset readonly
  unset getopts let mktemp sha1sum sha224sum sha256sum sha384sum sha512sum md5sum md5 shasum cksum b2sum sum
  expand unexpand zcat bzcat xzcat last
`);

export const readOnly: Record<string, Handler> = {
  ...Object.fromEntries(ANY_ARGUMENTS.map((name) => [name, anyArguments])),
  ...specHandlers(specs),
  // `set` alone prints every variable, the environment (and its secrets) included.
  set: ({ args }) => (args.length ? [] : [risky("prints every shell variable, the environment included (which may hold secrets)")]),
  ps: () => [otherProcesses()],
  top: () => [otherProcesses()],
  lsof: () => [otherProcesses()],
  pgrep: () => [otherProcesses()],
  ldd: () => [risky("can run the program it inspects (ldd executes some binaries to list their libraries)")],
};
