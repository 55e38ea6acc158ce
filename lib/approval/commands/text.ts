import type { Arg } from "../shell/words";
import { lit } from "./argv";
import { HELP, hasFlag, specVerdicts, words, type FlagSpec } from "./flags";
import { sedEffects } from "./sedScript";
import { risky, type CommandContext, type Handler, type Verdict } from "./types";

const SED_FLAGS: FlagSpec = {
  short: "nrEsuz",
  shortValue: "elf",
  longValue: words("expression line-length file"),
  shortOptional: "i",
  long: [...HELP, ...words("quiet silent regexp-extended separate unbuffered null-data zero-terminated posix debug sandbox follow-symlinks binary")],
  longOptional: ["in-place"],
};

/** One sed script's effects: `e cmd` is classified as the command it runs, `w file` as a write. */
function sedScriptVerdicts(script: Arg, ctx: CommandContext): Verdict[] {
  if (script.dynamic) {
    ctx.cannotRead("has a sed script only known at run time (sed scripts can run commands)");
    return [];
  }
  const fx = sedEffects(script.value);
  const verdicts: Verdict[] = [];
  if (fx.unreadable) ctx.cannotRead(`has a sed script the policy cannot read (${fx.unreadable}); sed scripts can run commands`);
  for (const command of fx.runs) {
    verdicts.push(risky(`runs \`${command}\` through sed's \`e\` command`));
    ctx.script(lit(command));
  }
  if (fx.runsPatternSpace) ctx.cannotRead("runs the text it edits as a shell command (sed `e`)");
  for (const file of fx.writes) ctx.writes(lit(file));
  return verdicts;
}

const sed: Handler = ({ args }, ctx) => {
  const { parsed, verdicts } = specVerdicts(SED_FLAGS, args, ctx);
  const expressions = parsed.flags.filter((f) => (f.flag === "-e" || f.flag === "--expression") && f.value).map((f) => f.value!);
  const fromFile = hasFlag(parsed, "-f", "--file");
  if (fromFile && !hasFlag(parsed, "--sandbox")) ctx.cannotRead("runs a sed script from a file, which can run commands and write files");
  const [first, ...rest] = parsed.operands;
  const scripts = expressions.length || fromFile ? expressions : first ? [first] : [];
  const files = expressions.length || fromFile ? parsed.operands : rest;
  // --sandbox makes sed itself refuse e, r and w.
  if (!hasFlag(parsed, "--sandbox")) for (const script of scripts) verdicts.push(...sedScriptVerdicts(script, ctx));
  if (hasFlag(parsed, "-i", "--in-place")) for (const f of files) ctx.writes(f);
  return verdicts;
};

const AWK_FLAGS: FlagSpec = {
  short: "bcCgMnNOPrsStVh",
  shortValue: "Fve",
  long: [...HELP, ...words("characters-as-bytes traditional copyright gen-pot bignum non-decimal-data optimize posix re-interval no-optimize sandbox lint-old use-lc-numeric")],
  longValue: words("field-separator assign source"),
};
// Programs from files and libraries: awk code the policy does not read.
const AWK_FILES = ["-f", "--file", "-i", "--include", "-l", "--load", "-E", "--exec"];
const AWK_READ_FLAGS: FlagSpec = { ...AWK_FLAGS, shortValue: `${AWK_FLAGS.shortValue}filE`, longValue: [...AWK_FLAGS.longValue!, "file", "include", "load", "exec"] };

// system("…"), print | "cmd", "cmd" | getline, print > "file": awk running commands or writing files.
const AWK_SYSTEM = /\bsystem\s*\(\s*("(?:[^"\\]|\\.)*")?\s*(\))?/g;
const AWK_PIPES = /\|\s*&?\s*getline|\|\s*&?\s*"|"\s*\|&?|\bprintf?\b[^;}]*[^>=!<]>{1,2}(?!=)|\bfflush\b.*\|/;

function awkProgramVerdicts(program: Arg, ctx: CommandContext): Verdict[] {
  if (program.dynamic) {
    ctx.cannotRead("has an awk program only known at run time (awk programs can run commands)");
    return [];
  }
  const verdicts: Verdict[] = [];
  for (const m of program.value.matchAll(AWK_SYSTEM)) {
    const literal = m[1] && m[2] ? m[1].slice(1, -1).replace(/\\(.)/g, "$1") : null;
    if (literal !== null) {
      verdicts.push(risky(`runs \`${literal}\` through awk's system()`));
      ctx.script(lit(literal));
    } else ctx.cannotRead("runs a command built at run time through awk's system()");
  }
  if (AWK_PIPES.test(program.value)) ctx.cannotRead("has an awk program that pipes to or from commands or writes files");
  return verdicts;
}

const awk: Handler = ({ args }, ctx) => {
  const { parsed, verdicts } = specVerdicts(AWK_READ_FLAGS, args, ctx);
  if (hasFlag(parsed, "--sandbox", "-S")) return verdicts;
  const sources = parsed.flags.filter((f) => (f.flag === "-e" || f.flag === "--source") && f.value).map((f) => f.value!);
  const fromFile = hasFlag(parsed, ...AWK_FILES);
  if (fromFile) ctx.cannotRead("runs awk code from a file or library, which can run commands and write files");
  const programs = sources.length || fromFile ? sources : parsed.operands.slice(0, 1);
  for (const program of programs) verdicts.push(...awkProgramVerdicts(program, ctx));
  return verdicts;
};

const SORT_FLAGS: FlagSpec = {
  short: "bdfgiMhnRrVcCmsuz",
  shortValue: "kStT",
  long: [...HELP, ...words("ignore-leading-blanks dictionary-order ignore-case general-numeric-sort ignore-nonprinting month-sort human-numeric-sort numeric-sort random-sort reverse version-sort merge stable unique zero-terminated debug")],
  longOptional: ["check"],
  longValue: words("key field-separator temporary-directory buffer-size parallel batch-size random-source sort files0-from"),
  effects: {
    "-o": { kind: "write" },
    "--output": { kind: "write" },
    "--compress-program": { kind: "program", what: "the compressor of its temporary files" },
  },
};

const sort: Handler = ({ args }, ctx) => specVerdicts(SORT_FLAGS, args, ctx).verdicts;

export const textCommands: Record<string, Handler> = { sed, awk, gawk: awk, mawk: awk, nawk: awk, sort };
