import type { Arg } from "../shell/words";

/** The arguments after `--` are operands even when they start with `-`. */
function splitAtDoubleDash(args: Arg[]): { options: Arg[]; rest: Arg[] } {
  const cut = args.findIndex((a) => a.value === "--" && !a.dynamic);
  return cut < 0 ? { options: args, rest: [] } : { options: args.slice(0, cut), rest: args.slice(cut + 1) };
}

/** True when a short option letter is given, alone or grouped (`-rf` has `r` and `f`). */
export function hasShort(args: Arg[], letter: string): boolean {
  return splitAtDoubleDash(args).options.some((a) => /^-[A-Za-z0-9]+$/.test(a.value) && a.value.slice(1).includes(letter));
}

/** True when a long option is given, bare or as `--name=value`. */
export function hasLong(args: Arg[], name: string): boolean {
  return splitAtDoubleDash(args).options.some((a) => a.value === `--${name}` || a.value.startsWith(`--${name}=`));
}

export const hasOption = (args: Arg[], short: string | null, long: string | null) =>
  (short !== null && hasShort(args, short)) || (long !== null && hasLong(args, long));

/** Arguments that are not options (a leading `-`), plus everything after `--`. */
export function operands(args: Arg[]): Arg[] {
  const { options, rest } = splitAtDoubleDash(args);
  return [...options.filter((a) => a.dynamic || !a.value.startsWith("-") || a.value === "-"), ...rest];
}

/** The value of `-o value`, `-ovalue`, `--output value` or `--output=value`, if given. */
export function optionValue(args: Arg[], short: string | null, long: string | null): Arg | undefined {
  for (let i = 0; i < args.length; i++) {
    const v = args[i]!.value;
    if (v === "--") return undefined;
    if ((short && v === `-${short}`) || (long && v === `--${long}`)) return args[i + 1];
    if (short && v.startsWith(`-${short}`) && v.length > 2 && !v.startsWith("--")) return { ...args[i]!, value: v.slice(2) };
    if (long && v.startsWith(`--${long}=`)) return { ...args[i]!, value: v.slice(long.length + 3) };
  }
  return undefined;
}

/** The first operand: a subcommand (`git push` → `push`), skipping the given global options. */
export function subcommand(args: Arg[], optionsWithValue: ReadonlySet<string> = new Set()): { sub: string; rest: Arg[] } {
  for (let i = 0; i < args.length; i++) {
    const v = args[i]!.value;
    if (optionsWithValue.has(v)) {
      i++;
      continue;
    }
    if (v.startsWith("-") && !args[i]!.dynamic) continue;
    return { sub: args[i]!.dynamic ? "$dynamic" : v, rest: args.slice(i + 1) };
  }
  return { sub: "", rest: [] };
}

const PLAIN = /^[A-Za-z0-9_@%+=:,./~^*?{}[\]-]+$/;

/** Shell-quotes a value only when it needs it, so normalized commands read like what was typed. */
export const quoteArg = (a: Arg) =>
  a.dynamic || PLAIN.test(a.value) ? a.value : `'${a.value.replace(/'/g, `'\\''`)}'`;

/** The normalized text of a command: quotes resolved, one space between words. */
export const commandText = (argv: Arg[]) => argv.map(quoteArg).join(" ");

export const lit = (value: string): Arg => ({ value, dynamic: false });
