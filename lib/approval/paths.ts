import path from "node:path";

/**
 * Where a path points, as far as can be told without running anything. The workspace is the
 * current directory; `~` and `$HOME` are the home directory.
 */
export type PathKind =
  | { kind: "harmless-device" } // /dev/null, /dev/stderr, …: writing there changes nothing
  | { kind: "block-device" } // a disk: writing there destroys data
  | { kind: "other-device" }
  | { kind: "scratch" } // /tmp
  | { kind: "home-dotfile" } // ~/.bashrc, ~/.profile: run at every login or shell start
  | { kind: "outside" } // elsewhere outside the workspace
  | { kind: "workspace"; relative: string };

const HARMLESS_DEVICE = /^\/dev\/(null|zero|stdout|stderr|stdin|tty|fd\/\d+|full|random|urandom)$/;
const BLOCK_DEVICE =
  /^\/dev\/(sd|hd|vd|xvd|nvme|mmcblk|disk|rdisk|md|dm-|loop|sg|sr|nbd|mapper\/|mem$|kmem$|port$)/;

export function pathKind(raw: string): PathKind {
  if (HARMLESS_DEVICE.test(raw)) return { kind: "harmless-device" };
  if (BLOCK_DEVICE.test(raw)) return { kind: "block-device" };
  if (raw.startsWith("/dev/")) return { kind: "other-device" };
  if (raw === "~" || raw.startsWith("~")) {
    return /^~\/\.[^/]/.test(raw) ? { kind: "home-dotfile" } : { kind: "outside" };
  }
  if (raw.startsWith("/")) {
    const normal = path.posix.normalize(raw);
    return /^\/(tmp|var\/tmp)\//.test(normal) ? { kind: "scratch" } : { kind: "outside" };
  }
  const relative = path.posix.normalize(raw);
  if (relative === ".." || relative.startsWith("../")) return { kind: "outside" };
  return { kind: "workspace", relative };
}

// Files and folders that hold secrets, matched on the path's tail so that `~/.ssh/id_rsa`,
// `$HOME/.ssh/id_rsa`, `/root/.ssh/id_rsa` and `../../.ssh/id_rsa` are all caught.
const CREDENTIAL_TAILS: RegExp[] = [
  /(^|\/)\.ssh(\/|$)/,
  /(^|\/)\.aws\/(credentials|config)$/,
  /(^|\/)\.aws\/?$/,
  /(^|\/)\.netrc$/,
  /(^|\/)\.git-credentials$/,
  /(^|\/)\.docker\/config\.json$/,
  /(^|\/)\.npmrc$/,
  /(^|\/)\.pypirc$/,
  /(^|\/)\.kube\/config$/,
  /(^|\/)\.config\/gh\/hosts\.yml$/,
  /(^|\/)\.config\/gcloud(\/|$)/,
  /(^|\/)\.azure(\/|$)/,
  /(^|\/)\.gnupg(\/|$)/,
  /(^|\/)\.password-store(\/|$)/,
  /^\/etc\/(g?shadow|sudoers)-?$/,
  /^\/etc\/ssh\/ssh_host_[a-z0-9]+_key$/,
  /(^|\/)Library\/Keychains(\/|$)/,
  /(^|\/)(Login Data|logins\.json|key[34]\.db|signons\.sqlite|Cookies)$/,
];

// Real paths a glob could reach: `cat ~/.ss?/id_*` must be seen as reading ~/.ssh.
const CREDENTIAL_SAMPLES = [
  "~/.ssh/id_rsa",
  "~/.ssh/id_ed25519",
  "~/.aws/credentials",
  "~/.netrc",
  "~/.git-credentials",
  "~/.docker/config.json",
  "~/.gnupg/private-keys-v1.d",
  "/etc/shadow",
];

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]");
  return new RegExp(`^${body}$`);
}

/** True when the path (or a glob of paths) reaches a credential store. */
export function isCredentialPath(raw: string): boolean {
  const value = raw.replace(/\/+$/, "") || raw;
  if (CREDENTIAL_TAILS.some((re) => re.test(value))) return true;
  if (!/[*?[]/.test(value)) return false;
  const candidate = globToRegExp(value.replace(/\[[^\]]*\]/g, "?"));
  return CREDENTIAL_SAMPLES.some((sample) => candidate.test(sample));
}

// System-wide facts under /proc that say nothing about any process.
const PROC_HARMLESS = /^\/proc\/(cpuinfo|meminfo|version|loadavg|uptime|stat|filesystems|partitions|mounts|swaps|devices|diskstats|vmstat|zoneinfo|interrupts|sys\/.*)$/;

/** bash opens a network connection for these paths in redirections (`cat < /dev/tcp/host/80`). */
export const isNetworkDevicePath = (raw: string) => /^\/dev\/(tcp|udp)\//.test(raw);

/**
 * True for a path under /proc about processes (`/proc/1/environ`, `/proc/self/mem`,
 * `/proc/*` globs): another process's environment (credentials), memory or command line.
 */
export function isProcessSecretPath(raw: string): boolean {
  if (!/^\/+proc(\/|$)/.test(raw)) return false;
  const normal = path.posix.normalize(raw);
  return !PROC_HARMLESS.test(normal);
}
