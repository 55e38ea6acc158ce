import path from "node:path";
import { pathKind } from "../paths";
import type { Arg } from "../shell/words";
import { hasLong, hasOption, hasShort, operands } from "./argv";
import { HELP, flagValue, specVerdicts, words, type FlagSpec } from "./flags";
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

/** Every file operand is a write target (`touch`, `mkdir`, `tee`), by the write rules. */
const writesOperands =
  (spec: FlagSpec): Handler =>
  ({ args }, ctx) => {
    const { parsed, verdicts } = specVerdicts(spec, args, ctx);
    for (const target of parsed.operands) if (target.value !== "-") ctx.writes(target);
    return verdicts;
  };

const COPY_FLAGS: FlagSpec = {
  short: "abdfHiLnPpRrTuvxZ",
  shortValue: "St",
  long: [...HELP, ...words("archive attributes-only copy-contents dereference force interactive no-dereference parents recursive remove-destination strip-trailing-slashes no-target-directory verbose one-file-system no-clobber debug exchange no-copy")],
  longValue: words("no-preserve sparse suffix target-directory"),
  longOptional: words("backup preserve reflink update context keep-directory-symlink"),
  effects: {
    "-l": { kind: "risky", why: "creates hard links instead of copies" },
    "--link": { kind: "risky", why: "creates hard links instead of copies" },
    "-s": { kind: "risky", why: "creates symbolic links, which can point outside the workspace" },
    "--symbolic-link": { kind: "risky", why: "creates symbolic links, which can point outside the workspace" },
  },
};

/**
 * `cp`/`mv`: the destination is written, as itself and (when it is a folder) as the file put
 * in it, so `cp x .github` is judged as writing `.github/x`. `mv` also removes its sources.
 */
const copyOrMove =
  (moves: boolean): Handler =>
  ({ args }, ctx) => {
    const { parsed, verdicts } = specVerdicts(COPY_FLAGS, args, ctx);
    const into = flagValue(parsed, "-t", "--target-directory");
    const sources = into ? parsed.operands : parsed.operands.slice(0, -1);
    const destination = into ?? parsed.operands.at(-1);
    if (!destination || sources.length === 0) return [...verdicts, risky("has no source or no destination")];
    ctx.writes(destination);
    for (const source of sources) {
      if (!destination.dynamic && !source.dynamic) {
        ctx.writes({ value: `${destination.value.replace(/\/+$/, "")}/${path.posix.basename(source.value)}`, dynamic: false });
      }
      if (moves) ctx.writes(source);
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

const perms = risky("changes file permissions or ownership");

export const fileCommands: Record<string, Handler> = {
  rm: ({ args }, ctx) => rmVerdicts(args, ctx),
  rmdir: () => [risky("deletes folders")],
  unlink: () => [risky("deletes files")],
  shred,
  truncate: () => [risky("truncates files")],
  mv: copyOrMove(true),
  cp: copyOrMove(false),
  ln: () => [risky("creates links, which can point outside the workspace")],
  install: () => [risky("installs files with chosen permissions")],
  mkdir: writesOperands({ short: "pvZ", shortValue: "m", long: [...HELP, ...words("parents verbose")], longValue: ["mode"], longOptional: ["context"] }),
  touch: writesOperands({ short: "acfhm", shortValue: "dtr", long: [...HELP, ...words("no-create no-dereference")], longValue: words("date reference time") }),
  tee: writesOperands({ short: "aip", long: [...HELP, ...words("append ignore-interrupts")], longOptional: ["output-error"] }),
  dd,
  chmod: () => [perms],
  chown: () => [perms],
  chgrp: () => [perms],
  chattr: () => [perms],
  setfacl: () => [perms],
};
