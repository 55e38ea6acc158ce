import type { Arg } from "../shell/words";
import { assignmentName, injectsCode } from "./environment";
import { parseFlags, words, type FlagSpec, type ParsedArgs } from "./flags";
import { risky, type Verdict } from "./types";

type WrapperSpec = {
  /** The wrapper's own flags: an allow-list, like every command's (see flags.ts). */
  flags: FlagSpec;
  /** Operands before the wrapped command (`timeout 5 cmd` has one). */
  leadingOperands?: number;
  /** `env NAME=value cmd` */
  assignments?: boolean;
  /** Flags after which there is no wrapped command but a lookup (`command -v x`). */
  lookup?: string[];
  /** Flags that make the wrapper run a shell instead (`sudo -s`). */
  shell?: string[];
  verdict?: Verdict;
};

// Commands that run another command with the rest of their arguments. They are looked through,
// so `timeout 5 rm x` is judged as `rm x`; their own risk (sudo) and flags are judged as well.
const WRAPPERS: Record<string, WrapperSpec> = {
  env: {
    flags: {
      short: "i0v",
      shortValue: "uC",
      long: words("ignore-environment null debug help version list-signal-handling"),
      longValue: words("unset chdir"),
      longOptional: words("default-signal ignore-signal block-signal"),
      effects: {
        // `env -S 'cmd args'` splits the string into the command it runs.
        "-S": { kind: "shell", what: "a command line" },
        "--split-string": { kind: "shell", what: "a command line" },
        "-P": { kind: "risky", why: "searches for the command in a directory it names (-P)", value: true },
      },
    },
    assignments: true,
  },
  timeout: {
    flags: { short: "v", shortValue: "ks", long: words("foreground preserve-status verbose help version"), longValue: words("kill-after signal") },
    leadingOperands: 1,
  },
  nice: { flags: { shortValue: "n", numeric: true, longValue: words("adjustment"), long: words("help version") } },
  nohup: { flags: { long: words("help version") } },
  setsid: { flags: { short: "cfw", long: words("ctty fork wait help version") } },
  stdbuf: { flags: { shortValue: "ioe", longValue: words("input output error"), long: words("help version") } },
  ionice: { flags: { short: "t", shortValue: "cnpPu", longValue: words("class classdata pid pgid uid"), long: words("ignore help version") } },
  taskset: { flags: { short: "ac", long: words("all-tasks cpu-list help version") }, leadingOperands: 1 },
  unbuffer: { flags: { short: "p" } },
  builtin: { flags: {} },
  time: {
    flags: {
      short: "apqvV",
      shortValue: "f",
      long: words("append portability quiet verbose help version"),
      longValue: words("format"),
      effects: { "-o": { kind: "write" }, "--output": { kind: "write" } },
    },
  },
  exec: { flags: { short: "cl", shortValue: "a" } },
  command: { flags: { short: "pvV" }, lookup: ["-v", "-V"] },
  xargs: {
    flags: {
      short: "0rtpxo",
      shortValue: "aIdELnPs",
      shortOptional: "eil",
      long: words("null no-run-if-empty verbose interactive exit open-tty show-limits help version"),
      longValue: words("arg-file delimiter max-args max-procs max-lines max-chars process-slot-var"),
      longOptional: words("replace eof"),
    },
  },
  sudo: {
    flags: {
      short: "AbBEeHiKklnNPSsVv",
      shortValue: "CDghpRrtTuU",
      long: words("askpass background bell preserve-env edit set-home login remove-timestamp reset-timestamp list non-interactive preserve-groups stdin shell validate version help"),
      longValue: words("close-from chdir group host prompt chroot role type command-timeout other-user user"),
    },
    shell: ["-s", "-i", "--shell", "--login"],
    verdict: risky("runs the command as another user (root) with sudo"),
  },
  doas: { flags: { short: "ns", shortValue: "uC" }, shell: ["-s"], verdict: risky("runs the command as another user (root) with doas") },
};

export type Layer = {
  argv: Arg[];
  verdicts: Verdict[];
  /** The wrapper's flags, for their effects (writes, command lines) to be judged with a context. */
  flags: { spec: FlagSpec; parsed: ParsedArgs };
};
export type Unwrapped = {
  /** Each wrapper's whole argv, outermost first; the wrapper's own verdicts go with it. */
  wrappers: Layer[];
  /** The wrapped command; empty when a wrapper runs nothing (`env`, `command -v x`). */
  inner: Arg[];
};

function unwrapOnce(spec: WrapperSpec, args: Arg[]): { inner: Arg[]; layer: Omit<Layer, "argv"> } | null {
  const verdicts: Verdict[] = spec.verdict ? [spec.verdict] : [];
  const parsed = parseFlags(spec.flags, args, { stopAtOperand: true });
  if (parsed.flags.some((f) => spec.lookup?.includes(f.flag))) return null;
  if (parsed.flags.some((f) => spec.shell?.includes(f.flag))) verdicts.push(risky("opens a root shell"));
  let rest = parsed.operands;
  if (spec.assignments) {
    let i = 0;
    for (; i < rest.length && !rest[i]!.dynamic; i++) {
      const name = assignmentName(rest[i]!.value);
      if (rest[i]!.value === "-") continue; // `env -`: an empty environment
      if (!name) break;
      if (injectsCode(name)) verdicts.push(risky(`sets ${name}, which changes what runs`));
    }
    rest = rest.slice(i);
  }
  rest = rest.slice(spec.leadingOperands ?? 0);
  return { inner: rest, layer: { verdicts, flags: { spec: spec.flags, parsed } } };
}

/** Looks through wrapper commands until the command that really runs. */
export function unwrap(argv: Arg[]): Unwrapped {
  const wrappers: Layer[] = [];
  let current = argv;
  for (let depth = 0; depth < 16 && current.length > 0; depth++) {
    const head = current[0]!;
    const name = head.dynamic ? "" : baseName(head.value);
    const spec = Object.hasOwn(WRAPPERS, name) ? WRAPPERS[name] : undefined;
    if (!spec) break;
    const next = unwrapOnce(spec, current.slice(1));
    if (!next) break;
    wrappers.push({ argv: current, ...next.layer });
    current = next.inner;
  }
  return { wrappers, inner: current };
}

/** `/usr/bin/rm` and `\rm` run `rm`. */
export const baseName = (name: string) => name.slice(name.lastIndexOf("/") + 1);
