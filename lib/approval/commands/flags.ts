import type { Arg } from "../shell/words";
import { risky, type CommandContext, type Verdict } from "./types";

/**
 * What a flag does beyond changing what a command prints:
 * - `write`: its value is a file the command writes (checked by the write rules);
 * - `program` / `shell`: its value is a program (`--compress-program=gzip`) or a shell command
 *   line (`-TT 'unzip -t'`) the command runs: risky, and classified as a command of its own so
 *   deny and ask rules match it;
 * - `risky`: the flag itself is risky (`--ext-diff` runs configured drivers), with why.
 */
export type FlagEffect =
  | { kind: "write" }
  | { kind: "program" | "shell"; what: string }
  | { kind: "risky"; why: string; value?: boolean };

/**
 * The allow-list of one command's flags. A flag not named here is unknown, and an unknown
 * flag makes the command risky: only flags known to be harmless (or known and checked) pass.
 */
export type FlagSpec = {
  /** Short flags without a value, as one string of letters (`"lahR"`). */
  short?: string;
  /** Short flags that take a value, attached (`-n5`) or as the next word (`-n 5`). */
  shortValue?: string;
  /** Short flags whose value is optional and only ever attached (`xargs -i` or `-i{}`). */
  shortOptional?: string;
  /** Long flags without a value, names without the dashes. */
  long?: string[];
  /** Long flags that take a value (`--name=v` or `--name v`). */
  longValue?: string[];
  /** Long flags whose value is optional and only ever attached (`--color` or `--color=auto`). */
  longOptional?: string[];
  /** Flags that do more than print, by their exact spelling (`-o`, `--output`). */
  effects?: Record<string, FlagEffect>;
  /** `-20` (a count, as in `head -20`) is a flag. */
  numeric?: boolean;
};

export type ParsedFlag = { flag: string; value?: Arg };
export type ParsedArgs = {
  flags: ParsedFlag[];
  operands: Arg[];
  /** Flags the spec does not list, as written. */
  unknown: string[];
  /** Words only known at run time where a flag could stand. */
  dynamicFlags: Arg[];
  /** `--` was given: what follows are operands (for git, paths). */
  doubleDash: boolean;
};

const effectTakesValue = (e: FlagEffect | undefined) => e !== undefined && (e.kind !== "risky" || e.value === true);

/**
 * Splits arguments into flags (with their values) and operands by a spec, the way getopt does:
 * grouped short flags (`-rn`), attached values (`-n5`, `--lines=5`), `--` ending the flags.
 * A word only known at run time (`"$f"`) in a flag's place is listed in `dynamicFlags`: it
 * could be any flag.
 */
export function parseFlags(spec: FlagSpec, args: Arg[], options: { stopAtOperand?: boolean } = {}): ParsedArgs {
  const out: ParsedArgs = { flags: [], operands: [], unknown: [], dynamicFlags: [], doubleDash: false };
  const effects = spec.effects ?? {};
  const shortValue = (c: string) => (spec.shortValue ?? "").includes(c) || effectTakesValue(effects[`-${c}`]);
  const shortPlain = (c: string) => (spec.short ?? "").includes(c) || (effects[`-${c}`] !== undefined && !effectTakesValue(effects[`-${c}`]));
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const v = a.value;
    if (a.dynamic || (options.stopAtOperand && (!v.startsWith("-") || v === "-"))) {
      // A wrapper's flags end at the command it runs (`timeout 5 rm -f x`: `-f` is rm's).
      if (options.stopAtOperand) {
        out.operands.push(...args.slice(i));
        break;
      }
      out.dynamicFlags.push(a);
      out.operands.push(a);
      continue;
    }
    if (v === "--") {
      out.doubleDash = true;
      out.operands.push(...args.slice(i + 1));
      break;
    }
    if (v.startsWith("--")) {
      const eq = v.indexOf("=");
      const name = eq < 0 ? v.slice(2) : v.slice(2, eq);
      const flag = `--${name}`;
      const attached = eq < 0 ? undefined : { ...a, value: v.slice(eq + 1) };
      if ((spec.longValue ?? []).includes(name) || effectTakesValue(effects[flag])) {
        const value = attached ?? args[++i];
        out.flags.push({ flag, value });
      } else if ((spec.longOptional ?? []).includes(name) || ((spec.long ?? []).includes(name) && !attached) || (effects[flag] && !attached)) {
        out.flags.push({ flag, value: attached });
      } else {
        out.unknown.push(v);
      }
      continue;
    }
    if (v.startsWith("-") && v.length > 1) {
      if (spec.numeric && /^-\d+$/.test(v)) {
        out.flags.push({ flag: v });
        continue;
      }
      for (let j = 1; j < v.length; j++) {
        const c = v[j]!;
        if ((spec.shortOptional ?? "").includes(c)) {
          const rest = v.slice(j + 1);
          out.flags.push({ flag: `-${c}`, value: rest ? { ...a, value: rest } : undefined });
          break;
        }
        if (shortValue(c)) {
          const rest = v.slice(j + 1);
          out.flags.push({ flag: `-${c}`, value: rest ? { ...a, value: rest } : args[++i] });
          break;
        }
        if (shortPlain(c)) out.flags.push({ flag: `-${c}` });
        else {
          out.unknown.push(v.length === 2 ? v : `-${c}`);
          break;
        }
      }
      continue;
    }
    out.operands.push(a);
  }
  return out;
}

export const hasFlag = (parsed: ParsedArgs, ...flags: string[]) => parsed.flags.some((f) => flags.includes(f.flag));
export const flagValue = (parsed: ParsedArgs, ...flags: string[]) => parsed.flags.find((f) => flags.includes(f.flag))?.value;

/**
 * The verdicts of a parse: unknown flags and flags' effects. Writes go to the write rules,
 * programs and command lines are classified as commands of their own (and make this one
 * risky: the program runs on the command's own terms, not as a command line a person typed).
 */
export function flagVerdicts(spec: FlagSpec, parsed: ParsedArgs, ctx: CommandContext): Verdict[] {
  const verdicts: Verdict[] = parsed.unknown.map((flag) => risky(`has the flag \`${flag}\`, which the policy does not know for this command`));
  const effects = spec.effects ?? {};
  if (Object.keys(effects).length && parsed.dynamicFlags.length) {
    ctx.cannotRead(`has an argument only known at run time (\`${parsed.dynamicFlags[0]!.value}\`), which could be one of its flags that run programs or write files`);
  }
  for (const { flag, value } of parsed.flags) {
    const effect = effects[flag];
    if (!effect) continue;
    if (effect.kind === "write") {
      if (value) ctx.writes(value);
      else verdicts.push(risky(`has \`${flag}\` without the file it writes`));
    } else if (effect.kind === "risky") {
      verdicts.push(risky(effect.why));
    } else {
      if (!value || value.dynamic) {
        ctx.cannotRead(`runs ${value ? `\`${value.value}\`, known only at run time,` : "a program"} as ${effect.what} (\`${flag}\`)`);
        continue;
      }
      verdicts.push(risky(`runs \`${value.value}\` as ${effect.what} (\`${flag}\`)`));
      if (effect.kind === "shell") ctx.script(value);
      else ctx.nested([value]);
    }
  }
  return verdicts;
}

/** A handler for a command whose flags are all the policy needs to know. */
export const specVerdicts = (spec: FlagSpec, args: Arg[], ctx: CommandContext) => {
  const parsed = parseFlags(spec, args);
  return { parsed, verdicts: flagVerdicts(spec, parsed, ctx) };
};

/** The long flags almost every GNU tool has. */
export const HELP = ["help", "version"];

/** `"a b c"` → `["a", "b", "c"]`: flag lists read better as one string. */
export const words = (list: string): string[] => list.split(/\s+/).filter(Boolean);
