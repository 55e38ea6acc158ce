import { archiveCommands } from "./archives";
import { fileCommands } from "./files";
import { find } from "./find";
import { git } from "./git";
import { readOnly } from "./inspect";
import { interpreterCommands } from "./interpreters";
import { packageCommands } from "./packages";
import { systemCommands } from "./system";
import { textCommands } from "./text";
import { denied, risky, type Handler } from "./types";

// Wrapper commands given nothing to wrap (`env`, `sudo -i`, `command -v x`): what they do then.
const bareWrappers: Record<string, Handler> = {
  sudo: () => [risky("opens a root shell")],
  doas: () => [risky("opens a root shell")],
  command: () => [],
  exec: () => [],
  time: () => [],
  nohup: () => [],
  nice: () => [],
  timeout: () => [],
  xargs: () => [],
  builtin: () => [],
};

const CATALOG: Record<string, Handler> = {
  ...readOnly,
  ...bareWrappers,
  ...fileCommands,
  ...textCommands,
  ...archiveCommands,
  find,
  ...packageCommands,
  ...interpreterCommands,
  ...systemCommands,
  git,
};

/** The handler for a command name, or undefined for a command the policy does not know. */
export function handlerFor(name: string): Handler | undefined {
  if (Object.hasOwn(CATALOG, name)) return CATALOG[name];
  if (/^mkfs(\.|$)|^mkdosfs$|^newfs/.test(name)) return () => [denied("formats a disk")];
  if (/^python3\.\d+$/.test(name)) return CATALOG.python;
  return undefined;
}
