import type { Arg } from "../shell/words";
import { assignmentName, injectsCode } from "./environment";
import { risky, type Verdict } from "./types";

type WrapperSpec = {
  /** Options that take the next word as their value (`-n 5`). */
  withValue?: string[];
  /** Operands before the wrapped command (`timeout 5 cmd` has one). */
  leadingOperands?: number;
  /** `env NAME=value cmd` */
  assignments?: boolean;
  /** Options after which there is no wrapped command but a lookup (`command -v x`). */
  lookup?: string[];
  /** Options that make the wrapper run a shell instead (`sudo -s`). */
  shell?: string[];
  verdict?: Verdict;
};

// Commands that run another command with the rest of their arguments. They are looked through,
// so `timeout 5 rm x` is judged as `rm x`; their own risk (sudo) is kept as well.
const WRAPPERS: Record<string, WrapperSpec> = {
  env: { withValue: ["-u", "--unset", "-C", "--chdir", "-P"], assignments: true },
  timeout: { withValue: ["-k", "--kill-after", "-s", "--signal"], leadingOperands: 1 },
  nice: { withValue: ["-n", "--adjustment"] },
  nohup: {},
  setsid: {},
  stdbuf: { withValue: ["-i", "-o", "-e"] },
  ionice: { withValue: ["-c", "-n", "--class", "--classdata"] },
  taskset: { leadingOperands: 1 },
  unbuffer: {},
  builtin: {},
  time: { withValue: ["-f", "--format", "-o", "--output"] },
  exec: { withValue: ["-a"] },
  command: { lookup: ["-v", "-V"] },
  xargs: {
    withValue: ["-I", "-L", "-l", "-n", "-P", "-d", "-E", "-s", "-a", "--arg-file", "--delimiter", "--max-args", "--max-procs", "--max-lines", "--max-chars", "--eof"],
  },
  sudo: {
    withValue: ["-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T", "--user", "--group", "--prompt", "--chdir"],
    shell: ["-s", "-i", "--shell", "--login"],
    verdict: risky("runs the command as another user (root) with sudo"),
  },
  doas: { withValue: ["-u", "-C"], shell: ["-s"], verdict: risky("runs the command as another user (root) with doas") },
};

export type Layer = { argv: Arg[]; verdicts: Verdict[] };
export type Unwrapped = {
  /** Each wrapper's whole argv, outermost first; the wrapper's own verdicts go with it. */
  wrappers: Layer[];
  /** The wrapped command; empty when a wrapper runs nothing (`env`, `command -v x`). */
  inner: Arg[];
};

function unwrapOnce(spec: WrapperSpec, args: Arg[]): { inner: Arg[]; verdicts: Verdict[] } | null {
  const verdicts: Verdict[] = spec.verdict ? [spec.verdict] : [];
  let i = 0;
  let operandsLeft = spec.leadingOperands ?? 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    const v = a.value;
    if (a.dynamic) break;
    if (v === "--") {
      i++;
      break;
    }
    if (spec.lookup?.includes(v)) return null;
    if (spec.shell?.includes(v)) {
      verdicts.push(risky("opens a root shell"));
      continue;
    }
    if (spec.withValue?.includes(v)) {
      i++;
      continue;
    }
    if (v.startsWith("-") && v !== "-") continue;
    const name = spec.assignments ? assignmentName(v) : null;
    if (name) {
      if (injectsCode(name)) verdicts.push(risky(`sets ${name}, which changes what runs`));
      continue;
    }
    if (operandsLeft > 0) {
      operandsLeft--;
      continue;
    }
    break;
  }
  return { inner: args.slice(i), verdicts };
}

/** Looks through wrapper commands until the command that really runs. */
export function unwrap(argv: Arg[]): Unwrapped {
  const wrappers: Layer[] = [];
  let current = argv;
  for (let depth = 0; depth < 16 && current.length > 0; depth++) {
    const head = current[0]!;
    const spec = head.dynamic ? undefined : WRAPPERS[baseName(head.value)];
    if (!spec) break;
    const next = unwrapOnce(spec, current.slice(1));
    if (!next) break;
    wrappers.push({ argv: current, verdicts: next.verdicts });
    current = next.inner;
  }
  return { wrappers, inner: current };
}

/** `/usr/bin/rm` and `\rm` run `rm`. */
export const baseName = (name: string) => name.slice(name.lastIndexOf("/") + 1);
