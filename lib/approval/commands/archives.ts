import type { Arg } from "../shell/words";
import { lit } from "./argv";
import { HELP, flagValue, hasFlag, specVerdicts, words, type FlagEffect, type FlagSpec } from "./flags";
import { risky, type Handler, type Verdict } from "./types";

const program = (what: string): FlagEffect => ({ kind: "program", what });

const TAR_FLAGS: FlagSpec = {
  short: "cxtruAdvzjJaZpkmOSWBhilMGnoUws",
  shortValue: "fCbTXKNVgLH",
  long: [...HELP, ...words(`
    create extract get list append update concatenate catenate diff compare delete verbose gzip gunzip ungzip bzip2
    xz lzma lzip lzop zstd compress uncompress auto-compress keep-old-files keep-newer-files skip-old-files overwrite
    overwrite-dir unlink-first recursive-unlink to-stdout dereference hard-dereference ignore-zeros preserve-permissions
    same-permissions no-same-owner same-owner no-same-permissions numeric-owner wildcards no-wildcards anchored
    no-anchored recursion no-recursion null show-transformed-names utc full-time one-file-system sparse verify
    interactive confirmation ignore-failed-read no-xattrs xattrs acls no-acls selinux no-selinux check-device
    no-check-device show-defaults exclude-vcs exclude-vcs-ignores exclude-backups exclude-caches force-local
    preserve-order same-order read-full-records multi-volume no-ignore-case ignore-case
  `)],
  longValue: words(`file directory blocking-factor files-from exclude exclude-from starting-file newer newer-mtime
    after-date label listed-incremental tape-length format owner group mode mtime transform xform strip-components`),
  longOptional: words("totals checkpoint occurrence sort warning"),
  effects: {
    "-I": program("the compressor"),
    "--use-compress-program": program("the compressor"),
    "-F": program("the volume script"),
    "--info-script": program("the volume script"),
    "--new-volume-script": program("the volume script"),
    "--to-command": { kind: "shell", what: "the command each extracted file is piped to" },
    "--rsh-command": program("the remote shell"),
    "--rmt-command": program("the remote tape server"),
    "--checkpoint-action": { kind: "risky", why: "sets a checkpoint action (which can run commands)", value: true },
    "-P": { kind: "risky", why: "keeps absolute names and `..` (can write anywhere)" },
    "--absolute-names": { kind: "risky", why: "keeps absolute names and `..` (can write anywhere)" },
  },
};

/** `tar czf out.tgz src` (old-style letters, no dash) is `tar -c -z -f out.tgz src`. */
function expandOldStyle(args: Arg[]): Arg[] {
  const first = args[0];
  if (!first || first.dynamic || first.value.startsWith("-") || !/^[a-zA-Z]+$/.test(first.value)) return args;
  const flags: Arg[] = [];
  const rest = args.slice(1);
  for (const c of first.value) {
    flags.push(lit(`-${c}`));
    if ((TAR_FLAGS.shortValue ?? "").includes(c) || c === "I" || c === "F") {
      const value = rest.shift();
      if (value) flags.push(value);
    }
  }
  return [...flags, ...rest];
}

const tar: Handler = ({ args }, ctx) => {
  const { parsed, verdicts } = specVerdicts(TAR_FLAGS, expandOldStyle(args), ctx);
  const archive = flagValue(parsed, "-f", "--file");
  if (archive && !archive.dynamic && /^[^/]*:/.test(archive.value) && !hasFlag(parsed, "--force-local")) {
    verdicts.push(risky(`uses the remote archive \`${archive.value}\` (through a remote shell)`));
  }
  const creates = hasFlag(parsed, "-c", "--create", "-r", "--append", "-u", "--update", "-A", "--concatenate", "--catenate", "--delete");
  const extracts = hasFlag(parsed, "-x", "--extract", "--get");
  if (creates) {
    if (archive && archive.value !== "-") ctx.writes(archive);
    else if (!archive) verdicts.push(risky("writes an archive to the default tape device"));
  }
  if (extracts && !hasFlag(parsed, "-O", "--to-stdout")) {
    verdicts.push(risky("extracts files from an archive, possibly over others (the archive decides their names)"));
  }
  return verdicts;
};

const ZIP_FLAGS: FlagSpec = {
  short: "qvrRjJlL0123456789dufFADTgkoXyz@SceE$!#hHw",
  shortValue: "bntPsxiZ",
  long: [...HELP, ...words("recurse-paths junk-paths quiet verbose update freshen test grow no-extra symlinks encrypt")],
  longValue: words("exclude include temp-path compression-method password"),
  effects: {
    "-O": { kind: "write" },
    "--output-file": { kind: "write" },
    "-m": { kind: "risky", why: "deletes the files it adds (-m)" },
    "--move": { kind: "risky", why: "deletes the files it adds (--move)" },
    "--unzip-command": { kind: "shell", what: "the archive test command" },
  },
};

/** zip: the archive (first operand) is written; `-TT cmd` runs a command to test it. */
const zip: Handler = ({ args }, ctx) => {
  const extra: Verdict[] = [];
  const rest: Arg[] = [];
  for (let i = 0; i < args.length; i++) {
    const v = args[i]!.value;
    // `-TT` is one flag of two letters, which getopt-style parsing would read as `-T -T`.
    if (v === "-TT" || v.startsWith("-TT=")) {
      const command = v === "-TT" ? args[++i] : { ...args[i]!, value: v.slice(4) };
      extra.push(...specVerdicts({ effects: { "--unzip-command": ZIP_FLAGS.effects!["--unzip-command"]! } }, command ? [lit("--unzip-command"), command] : [lit("--unzip-command")], ctx).verdicts);
      continue;
    }
    rest.push(args[i]!);
  }
  const { parsed, verdicts } = specVerdicts(ZIP_FLAGS, rest, ctx);
  const archive = parsed.operands[0];
  if (archive && archive.value !== "-") ctx.writes(archive);
  return [...extra, ...verdicts];
};

const UNZIP_LIST = ["-l", "-v", "-t", "-z", "-Z", "-p", "-c"];
const UNZIP_FLAGS: FlagSpec = { short: "lvtzZpcfunojCLVXKaqbBMsTW", shortValue: "dxP", long: HELP };

const unzip: Handler = ({ args }, ctx) => {
  const { parsed, verdicts } = specVerdicts(UNZIP_FLAGS, args, ctx);
  if (hasFlag(parsed, ...UNZIP_LIST)) return verdicts;
  return [...verdicts, risky("extracts an archive, possibly over files (the archive decides their names)")];
};

const GZIP_FLAGS: FlagSpec = {
  short: "cdfhklLnNqrStv123456789",
  shortValue: "S",
  long: [...HELP, ...words("stdout to-stdout decompress uncompress force keep list license no-name name quiet recursive test verbose fast best rsyncable synchronous")],
  longValue: ["suffix"],
};

const gzipLike =
  (what: string): Handler =>
  ({ args }, ctx) => {
    const { parsed, verdicts } = specVerdicts(GZIP_FLAGS, args, ctx);
    const prints = hasFlag(parsed, "-c", "--stdout", "--to-stdout", "-l", "--list", "-t", "--test");
    // Files named on the command line are replaced; with none it filters stdin to stdout.
    if (prints || parsed.operands.length === 0) return verdicts;
    return [...verdicts, risky(what)];
  };

export const archiveCommands: Record<string, Handler> = {
  tar,
  zip,
  unzip,
  gzip: gzipLike("replaces files with compressed ones"),
  gunzip: gzipLike("replaces files with decompressed ones"),
};
