import fs from "node:fs";
import path from "node:path";
import type { SandboxSpec } from "./spec";

/** Where things are inside the sandbox. */
export const SANDBOX_HOME = "/home/agentdesk";
export const SANDBOX_PROXY_DIR = "/run/agentdesk-proxy";
export const SANDBOX_PROXY_SOCKET = "proxy.sock";
/** The loopback port, inside the sandbox's own network namespace, bridged to the proxy. */
export const SANDBOX_PROXY_PORT = 3128;
/** Holds the model gateway's socket (jobs/sandbox/modelGateway.ts), when the spec asks for model access. */
export const SANDBOX_MODEL_DIR = "/run/agentdesk-model";
export const SANDBOX_MODEL_SOCKET = "gateway.sock";
/** The loopback port, inside the sandbox, bridged to the model gateway. */
export const SANDBOX_MODEL_PORT = 3129;
/** Holds the wrapper that keeps an agent's shell commands away from the model gateway (toolIsolation.ts). */
export const SANDBOX_TOOLS_DIR = "/run/agentdesk-tools";
/** A non-root user inside (its own user namespace; outside it is the job process's user). */
export const SANDBOX_UID = 1000;

// The system, read-only: programs, libraries and their configuration. Nothing else of the host
// (no /home, /root, /work, /var, /run, /opt, /srv, /mnt, no DATA_DIR) exists inside.
export const SYSTEM_DIRS = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc"];

// Files of /etc that hold secrets of the machine (password hashes, host keys, private TLS
// keys, sudo rules): replaced by an empty file or an empty directory inside.
const ETC_SECRETS = [
  "/etc/shadow",
  "/etc/shadow-",
  "/etc/gshadow",
  "/etc/gshadow-",
  "/etc/security/opasswd",
  "/etc/sudoers",
  "/etc/sudoers.d",
  "/etc/ssh",
  "/etc/ssl/private",
];

/** Host folders of one sandboxed process (made and removed by openSandbox). */
export type SandboxScratch = {
  /** Bound at SANDBOX_HOME. */
  home: string;
  /** Bound at /tmp. */
  tmp: string;
  /** Holds the proxy's socket; bound at SANDBOX_PROXY_DIR. Absent: no network at all. */
  proxyDir?: string;
  /** Holds the model gateway's socket; bound at SANDBOX_MODEL_DIR. Absent: no model access. */
  modelDir?: string;
  /** Holds the tool isolation wrapper; bound read-only at SANDBOX_TOOLS_DIR. */
  toolsDir?: string;
};

/**
 * The system part of the mount table, as this machine lays it out (merged /usr makes /bin a
 * symlink, older systems have real folders). Looked up once.
 */
let systemMounts: string[] | undefined;
function systemMountArgs(): string[] {
  if (systemMounts) return systemMounts;
  const args: string[] = [];
  for (const dir of SYSTEM_DIRS) {
    const stat = fs.lstatSync(dir, { throwIfNoEntry: false });
    if (!stat) continue;
    if (stat.isSymbolicLink()) args.push("--symlink", fs.readlinkSync(dir), dir);
    else if (stat.isDirectory()) args.push("--ro-bind", dir, dir);
  }
  for (const secret of ETC_SECRETS) {
    const stat = fs.lstatSync(secret, { throwIfNoEntry: false });
    if (!stat) continue;
    if (stat.isDirectory()) args.push("--tmpfs", secret, "--remount-ro", secret);
    else args.push("--ro-bind", "/dev/null", secret);
  }
  systemMounts = args;
  return args;
}

/**
 * bwrap's arguments for running `program args` in the sandbox `spec` describes: own user, PID,
 * IPC, UTS, cgroup and network namespaces; no capabilities; killed with its parent; a new
 * session (no TIOCSTI into a terminal); the environment exactly `env`.
 */
export function buildBwrapArgs(opts: {
  spec: SandboxSpec;
  scratch: SandboxScratch;
  /** Absolute paths hidden even if they lie inside a bound system folder (DATA_DIR). */
  hidden: string[];
  cwd: string;
  env: Record<string, string>;
  program: string;
  args: string[];
}): string[] {
  const { spec, scratch } = opts;
  const args = [
    "--die-with-parent",
    "--new-session",
    "--unshare-user",
    "--uid", String(SANDBOX_UID),
    "--gid", String(SANDBOX_UID),
    "--unshare-pid",
    "--unshare-ipc",
    "--unshare-uts",
    "--unshare-cgroup-try",
    "--unshare-net",
    "--hostname", "agentdesk-sandbox",
    "--cap-drop", "ALL",
    ...systemMountArgs(),
    "--proc", "/proc",
    "--dev", "/dev",
    "--bind", scratch.tmp, "/tmp",
    "--bind", scratch.home, SANDBOX_HOME,
  ];
  for (const hidden of opts.hidden) {
    if (SYSTEM_DIRS.some((dir) => isInside(hidden, dir)) && fs.existsSync(hidden)) args.push("--tmpfs", hidden);
  }
  args.push("--bind", spec.workspace, workspaceView(spec));
  for (const readOnly of spec.readOnlyPaths) args.push("--ro-bind", readOnly, inSandbox(spec, readOnly));
  const bridges: Bridge[] = [];
  if (scratch.proxyDir) {
    args.push("--ro-bind", scratch.proxyDir, SANDBOX_PROXY_DIR);
    bridges.push({ port: SANDBOX_PROXY_PORT, socket: `${SANDBOX_PROXY_DIR}/${SANDBOX_PROXY_SOCKET}` });
  }
  if (scratch.modelDir) {
    args.push("--ro-bind", scratch.modelDir, SANDBOX_MODEL_DIR);
    bridges.push({ port: SANDBOX_MODEL_PORT, socket: `${SANDBOX_MODEL_DIR}/${SANDBOX_MODEL_SOCKET}` });
  }
  if (scratch.toolsDir) args.push("--ro-bind", scratch.toolsDir, SANDBOX_TOOLS_DIR);
  // bwrap's root is a tmpfs holding the mount points: read-only, so only the workspace, HOME
  // and /tmp take writes.
  args.push("--remount-ro", "/");
  args.push("--chdir", opts.cwd, "--clearenv");
  for (const [name, value] of Object.entries(opts.env)) args.push("--setenv", name, value);
  args.push("--");
  if (bridges.length > 0) args.push("bash", "-c", bridgeScript(bridges), "agentdesk-sandbox");
  args.push(opts.program, ...opts.args);
  return args;
}

/** A loopback port inside the sandbox that leads to a unix socket of the job process. */
type Bridge = { port: number; socket: string };

// Inside the sandbox: bridge each loopback port to its socket of the job process (the filtering
// proxy, the model gateway), wait until every bridge listens (so the first request cannot race
// it), then become the program. socat is a child of the program from then on and dies with the
// sandbox's PID namespace.
function bridgeScript(bridges: Bridge[]): string {
  const lines: string[] = [];
  for (const { port, socket } of bridges) {
    lines.push(`socat TCP-LISTEN:${port},bind=127.0.0.1,fork,reuseaddr UNIX-CONNECT:${socket} 2>/dev/null &`);
  }
  for (const { port } of bridges) {
    const hex = port.toString(16).toUpperCase().padStart(4, "0");
    lines.push(`for _ in $(seq 1 300); do grep -q ':${hex} 00000000:0000 0A' /proc/net/tcp 2>/dev/null && break; sleep 0.01; done`);
  }
  lines.push('exec "$@"');
  return lines.join("\n");
}

/** Where the sandbox's processes see the workspace. */
export const workspaceView = (spec: SandboxSpec) => spec.workspaceView ?? spec.workspace;

/** A host path as the sandbox's processes see it (a path in the workspace moves with its view). */
export function inSandbox(spec: SandboxSpec, hostPath: string): string {
  return isInside(hostPath, spec.workspace) ? path.join(workspaceView(spec), path.relative(spec.workspace, hostPath)) : hostPath;
}

/** A path in the sandbox's view of the workspace as the host has it (the inverse of inSandbox). */
export function onHost(spec: SandboxSpec, sandboxPath: string): string {
  const view = workspaceView(spec);
  return isInside(sandboxPath, view) ? path.join(spec.workspace, path.relative(view, sandboxPath)) : sandboxPath;
}

/**
 * Why `view` cannot be where the workspace appears, or null: it must be absolute and clear of
 * everything else the sandbox mounts (the system, /proc, /dev, /tmp, HOME, /run, the read-only paths).
 */
export function workspaceViewProblem(view: string, readOnlyPaths: readonly string[]): string | null {
  if (!path.isAbsolute(view) || path.normalize(view) !== view || view === "/") return `"${view}" is not a normalized absolute path below /`;
  const taken = [...SYSTEM_DIRS, "/proc", "/dev", "/tmp", "/run", SANDBOX_HOME, ...readOnlyPaths];
  const clash = taken.find((dir) => isInside(view, dir) || isInside(dir, view));
  return clash ? `"${view}" overlaps "${clash}", which the sandbox mounts too` : null;
}

/** Whether `p` is `dir` or inside it. */
export function isInside(p: string, dir: string): boolean {
  const relative = path.relative(dir, p);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}
