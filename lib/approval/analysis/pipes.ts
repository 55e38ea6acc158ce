import { operands } from "../commands/argv";
import { baseName, unwrap } from "../commands/wrappers";
import type { Arg } from "../shell/words";

const CODE_READERS = new Set([
  "sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "fish", "python", "python3", "python2", "node", "nodejs",
  "perl", "ruby", "php", "lua", "pwsh", "osascript", "source", ".", "eval",
]);

/**
 * True when a command run at the end of a pipe executes what it reads: a shell or interpreter
 * given no script (or `-`, or `/dev/stdin`). `curl … | bash` and `base64 -d | sh` end so.
 */
export function runsInputAsCode(argv: Arg[]): string | null {
  const { inner } = unwrap(argv);
  const head = inner[0];
  if (!head || head.dynamic) return null;
  const name = baseName(head.value);
  if (!CODE_READERS.has(name)) return null;
  const args = inner.slice(1);
  if (args.some((a) => /^-[a-zA-Z]*[ceE]$/.test(a.value))) return null;
  const files = operands(args);
  return files.length === 0 || ["-", "/dev/stdin"].includes(files[0]!.value) ? name : null;
}
