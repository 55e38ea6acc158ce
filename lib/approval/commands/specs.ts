import { specVerdicts, type FlagSpec, type ParsedArgs } from "./flags";
import type { CommandContext, Handler, Verdict } from "./types";

/**
 * A command as data: its flag allow-list, and for the few whose operands matter (`uniq in
 * out` writes `out`, `less +!cmd` runs `cmd`) a check of what was parsed.
 */
export type CommandSpec = FlagSpec & { check?: (parsed: ParsedArgs, ctx: CommandContext) => Verdict[] };

export const fromSpec =
  (spec: CommandSpec): Handler =>
  ({ args }, ctx) => {
    const { parsed, verdicts } = specVerdicts(spec, args, ctx);
    return [...verdicts, ...(spec.check?.(parsed, ctx) ?? [])];
  };

/**
 * Commands whose arguments are all data: they print, compute or wait, and no flag or operand
 * of theirs names a file they write or a program they run (`echo`, `true`, `basename`).
 */
export const anyArguments: Handler = () => [];

export const specHandlers = (specs: Record<string, CommandSpec>): Record<string, Handler> =>
  Object.fromEntries(Object.entries(specs).map(([name, spec]) => [name, fromSpec(spec)]));
