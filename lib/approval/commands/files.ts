import { pathKind } from "../paths";
import type { Arg } from "../shell/words";
import { hasLong, hasOption, hasShort, operands, optionValue } from "./argv";
import { denied, risky, type CommandContext, type Handler, type Verdict } from "./types";

// Targets whose recursive deletion destroys the system or the user's home, not a project.
const CATASTROPHIC = /^(\/+|\/+\*|\/+\.\.?|~\/*|~\/+\*|\/(bin|boot|dev|etc|home|lib|lib64|opt|proc|root|sbin|srv|sys|usr|var|Users|System|Library|Applications)\/*\*?)$/;

function rmVerdicts(args: Arg[], ctx: CommandContext): Verdict[] {
  const recursive = hasOption(args, "r", "recursive") || hasShort(args, "R");
  const targets = operands(args);
  const wipesEverything =
    hasLong(args, "no-preserve-root") ||
    (recursive &&
      targets.some((t) => !t.dynamic && (CATASTROPHIC.test(t.value) || (ctx.outsideWorkspace && /^\*|^\.\/?$/.test(t.value)))));
  if (wipesEverything) return [denied("deletes the whole file system or home directory")];
  if (targets.some((t) => !t.dynamic && pathKind(t.value).kind !== "workspace")) {
    return [risky("deletes files outside the workspace")];
  }
  return [risky(recursive ? "deletes files and folders recursively" : "deletes files")];
}

/** Every file operand is a write target (`touch`, `mkdir`, `tee`): outside the workspace is risky. */
const writesOperands: Handler = ({ args }, ctx) => {
  for (const target of operands(args)) ctx.writes(target);
  return [];
};

// A sed script can run commands (`e`) or write files (`w`/`W`); those forms are rare in edits.
const SED_EXEC_OR_WRITE = /(^|[;{}\n]|[/|#,][gpIiMm0-9]*)\s*[ewW]\b|\/[gpIiMm0-9]*[ew]/;

const sed: Handler = ({ args }, ctx) => {
  if (hasOption(args, "f", "file")) return [risky("runs a sed script from a file")];
  const explicit = optionValue(args, "e", "expression");
  const [first, ...files] = operands(args);
  const script = explicit ?? first;
  const verdicts: Verdict[] = [];
  if (script && (script.dynamic || SED_EXEC_OR_WRITE.test(script.value))) {
    verdicts.push(risky("has a sed script that can run commands or write files"));
  }
  if (hasOption(args, "i", "in-place")) for (const f of explicit ? operands(args) : files) ctx.writes(f);
  return verdicts;
};

const AWK_EFFECTS = /system\s*\(|\|\s*getline|\|\s*"|"\s*\||print[^;}]*>|printf[^;}]*>/;

const awk: Handler = ({ args }) => {
  if (hasShort(args, "f")) return [risky("runs an awk program from a file")];
  const program = operands(args)[0];
  if (program && (program.dynamic || AWK_EFFECTS.test(program.value))) {
    return [risky("has an awk program that can run commands or write files")];
  }
  return [];
};

const FIND_EXEC = new Set(["-exec", "-execdir", "-ok", "-okdir"]);
const FIND_WRITES = new Set(["-fprint", "-fprint0", "-fprintf", "-fls"]);

/** `find` is read-only unless it deletes, writes lists to files, or runs commands on matches. */
const find: Handler = ({ args }, ctx) => {
  const verdicts: Verdict[] = [];
  for (let i = 0; i < args.length; i++) {
    const v = args[i]!.value;
    if (v === "-delete") verdicts.push(risky("deletes the files it finds (-delete)"));
    if (FIND_WRITES.has(v) && args[i + 1]) ctx.writes(args[i + 1]!);
    if (FIND_EXEC.has(v)) {
      const end = args.findIndex((a, j) => j > i && (a.value === ";" || a.value === "+"));
      const inner = args.slice(i + 1, end < 0 ? undefined : end);
      if (inner.length) ctx.nested(inner);
      else verdicts.push(risky(`has an empty ${v}`));
      if (end < 0) break;
      i = end;
    }
  }
  return verdicts;
};

/** dd copies raw bytes: even into the workspace it overwrites without a second look. */
const dd: Handler = ({ args }, ctx) => {
  const verdicts: Verdict[] = [];
  for (const a of args) {
    if (a.value.startsWith("of=")) {
      const target = { ...a, value: a.value.slice(3) };
      if (pathKind(target.value).kind === "block-device") verdicts.push(denied("writes straight to a disk device"));
      else {
        ctx.writes(target);
        verdicts.push(risky("overwrites a file with raw bytes (dd)"));
      }
    }
    if (a.value.startsWith("if=/dev/") && pathKind(a.value.slice(3)).kind === "block-device") {
      verdicts.push(risky("reads a raw disk device"));
    }
  }
  return verdicts;
};

const shred: Handler = ({ args }) =>
  operands(args).some((t) => pathKind(t.value).kind === "block-device")
    ? [denied("overwrites a disk device")]
    : [risky("destroys file contents irrecoverably")];

const sort: Handler = ({ args }, ctx) => {
  const out = optionValue(args, "o", "output");
  if (out) ctx.writes(out);
  return [];
};

const archive =
  (listFlags: { short: string | null; long: string | null }[], what: string): Handler =>
  ({ args }) =>
    listFlags.some((f) => hasOption(args, f.short, f.long)) ? [] : [risky(what)];

const perms = risky("changes file permissions or ownership");

export const fileCommands: Record<string, Handler> = {
  rm: ({ args }, ctx) => rmVerdicts(args, ctx),
  rmdir: () => [risky("deletes folders")],
  unlink: () => [risky("deletes files")],
  shred,
  truncate: () => [risky("truncates files")],
  mv: () => [risky("moves or renames files, possibly over others")],
  cp: ({ args }, ctx) => {
    const targets = operands(args);
    if (targets.length) ctx.writes(targets[targets.length - 1]!);
    return hasOption(args, "n", "no-clobber") ? [] : [risky("copies files and may overwrite existing ones")];
  },
  ln: () => [risky("creates links, which can point outside the workspace")],
  install: () => [risky("installs files with chosen permissions")],
  mkdir: writesOperands,
  touch: writesOperands,
  tee: writesOperands,
  sed,
  awk,
  gawk: awk,
  mawk: awk,
  nawk: awk,
  find,
  dd,
  sort,
  chmod: () => [perms],
  chown: () => [perms],
  chgrp: () => [perms],
  chattr: () => [perms],
  setfacl: () => [perms],
  tar: archive([{ short: "t", long: "list" }], "extracts or creates archives, possibly outside the workspace"),
  unzip: archive([{ short: "l", long: null }, { short: "t", long: null }], "extracts an archive, possibly over files"),
  gzip: archive([{ short: "c", long: "stdout" }, { short: "l", long: "list" }, { short: "t", long: "test" }], "replaces files with compressed ones"),
  gunzip: archive([{ short: "c", long: "stdout" }, { short: "l", long: "list" }, { short: "t", long: "test" }], "replaces files with decompressed ones"),
  zip: writesOperands,
};
