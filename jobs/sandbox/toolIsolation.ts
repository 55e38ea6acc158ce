import fs from "node:fs/promises";
import path from "node:path";
import {
  SANDBOX_MODEL_DIR,
  SANDBOX_PROXY_DIR,
  SANDBOX_PROXY_PORT,
  SANDBOX_PROXY_SOCKET,
  SANDBOX_TOOLS_DIR,
  SANDBOX_UID,
} from "./bwrapArgs";

const WRAPPER = "isolate";
const INNER = "isolate-inner";

/**
 * The program an agent's shell commands run through (Claude Code's CLAUDE_CODE_SHELL_PREFIX:
 * it calls `isolate '<command line>'`), so a command the model wrote cannot use the model
 * gateway the agent itself talks to:
 * - its own network namespace (a nested user namespace makes that possible without
 *   privileges): the gateway's loopback port is not there. When the repository allows hosts,
 *   the filtering proxy is bridged into it as in the sandbox, so allowed hosts stay reachable.
 * - its own mount namespace, with the gateway's socket folder and Claude Code's messaging
 *   sockets covered by an empty read-only tmpfs;
 * - the agent's model variables (ANTHROPIC_*: the gateway's address and token) and messaging
 *   token removed from its environment;
 * - then the command runs as the sandbox's user (uid 1000) again, without capabilities.
 * The kernel does not let a process in the nested namespaces read the agent's
 * /proc/<pid>/environ or enter its /proc/<pid>/root (tests/executors/claudeCode*.test.ts
 * checks both). If the nested namespaces cannot be made, the command does not run (fail closed)
 * and its output says why.
 */
export function isolationScripts(): { wrapper: string; inner: string } {
  const wrapper = `#!/bin/bash
# AgentDesk: run one tool command with no route to the model gateway (see toolIsolation.ts).
if ! unshare --user --map-root-user --net --mount -- true 2>/dev/null; then
  echo "AgentDesk sandbox: this command did not run: the kernel refused the nested namespaces that keep commands away from the model gateway" >&2
  exit 126
fi
exec unshare --user --map-root-user --net --mount -- /bin/bash ${SANDBOX_TOOLS_DIR}/${INNER} "$@"
`;
  const proxySocket = `${SANDBOX_PROXY_DIR}/${SANDBOX_PROXY_SOCKET}`;
  const portHex = SANDBOX_PROXY_PORT.toString(16).toUpperCase().padStart(4, "0");
  const inner = `#!/bin/bash
# Root only inside a fresh user namespace that owns this network and mount namespace.
fail() { echo "AgentDesk sandbox: this command did not run: $1" >&2; exit 126; }
mount -t tmpfs -o ro,size=4k,mode=0555 agentdesk-hidden ${SANDBOX_MODEL_DIR} 2>/dev/null || [ ! -e ${SANDBOX_MODEL_DIR} ] || fail "could not hide the model gateway"
if [ -d /tmp/cc-socks ]; then mount -t tmpfs -o ro,size=4k,mode=0555 agentdesk-hidden /tmp/cc-socks || fail "could not hide the agent's messaging sockets"; fi
bridge=
if [ -S ${proxySocket} ]; then
  ip link set lo up || fail "could not bring up the loopback interface for the proxy"
  socat TCP-LISTEN:${SANDBOX_PROXY_PORT},bind=127.0.0.1,fork,reuseaddr UNIX-CONNECT:${proxySocket} </dev/null >/dev/null 2>&1 &
  bridge=$!
  for _ in $(seq 1 300); do grep -q ':${portHex} 00000000:0000 0A' /proc/net/tcp 2>/dev/null && break; sleep 0.01; done
fi
for name in $(compgen -e); do
  case "$name" in ANTHROPIC_*|CLAUDE_CODE_MESSAGING_*) unset "$name" ;; esac
done
unshare --user --map-user=${SANDBOX_UID} --map-group=${SANDBOX_UID} -- /bin/bash -c "$1"
code=$?
[ -n "$bridge" ] && kill "$bridge" 2>/dev/null
exit $code
`;
  return { wrapper, inner };
}

/** Writes the wrapper into a scratch folder (bound read-only at SANDBOX_TOOLS_DIR); returns its path inside the sandbox. */
export async function writeIsolationScripts(dir: string): Promise<string> {
  const { wrapper, inner } = isolationScripts();
  await fs.writeFile(path.join(dir, WRAPPER), wrapper, { mode: 0o555 });
  await fs.writeFile(path.join(dir, INNER), inner, { mode: 0o444 });
  return `${SANDBOX_TOOLS_DIR}/${WRAPPER}`;
}
