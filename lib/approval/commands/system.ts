import { hasLong, operands, optionValue, subcommand } from "./argv";
import { denied, risky, type Handler } from "./types";

const all = (names: string[], handler: Handler): Record<string, Handler> =>
  Object.fromEntries(names.map((n) => [n, handler]));

const formatsDisks = denied("formats or repartitions a disk");

const NETWORK_TOOLS = [
  "curl", "wget", "nc", "ncat", "netcat", "socat", "ssh", "scp", "sftp", "rsync", "ftp", "tftp", "telnet", "http",
  "https", "xh", "aria2c", "lynx", "w3m", "links", "ping", "ping6", "dig", "nslookup", "host", "traceroute", "mtr",
  "nmap", "ssh-keyscan", "gh", "glab", "hub", "ssh-copy-id", "mosh", "openssl", "whois", "smbclient", "mail", "sendmail",
];

/** Network tools; their download targets are writes as well (`curl -o`, `wget -O`). */
const network: Handler = ({ name, args }, ctx) => {
  const out = name === "wget" ? optionValue(args, "O", "output-document") : optionValue(args, "o", "output");
  if (out && out.value !== "-") ctx.writes(out);
  return [risky(`uses the network (${name})`)];
};

// macOS keychain reads, gpg secret key exports: reading credential stores.
const security: Handler = ({ args }) => {
  const { sub } = subcommand(args);
  if (/^(find-(generic|internet)-password|dump-keychain|export)$/.test(sub)) return [denied("reads passwords or keys from the keychain")];
  return [risky(`changes or reads the keychain (security ${sub})`)];
};

const gpg: Handler = ({ args }) => {
  if (hasLong(args, "export-secret-keys") || hasLong(args, "export-secret-subkeys")) return [denied("exports secret keys")];
  if (args.some((a) => /^--(list-keys|list-public-keys|verify|fingerprint|version|list-sigs)$/.test(a.value) || a.value === "-k")) return [];
  return [risky("uses gpg keys (sign, decrypt, import)")];
};

const printsEnvironment: Handler = ({ args }) =>
  operands(args).length ? [] : [risky("prints every environment variable, which may hold secrets")];

export const systemCommands: Record<string, Handler> = {
  ...all(["fdisk", "sfdisk", "cfdisk", "gdisk", "sgdisk", "parted", "wipefs", "mkswap", "blkdiscard", "mke2fs", "badblocks"], () => [formatsDisks]),
  ...all(NETWORK_TOOLS, network),
  ...all(["kill", "pkill", "killall", "skill", "xkill"], () => [risky("stops processes")]),
  ...all(["crontab", "at", "batch"], () => [risky("schedules commands to run later")]),
  ...all(["systemctl", "service", "launchctl", "initctl", "rc-service"], () => [risky("controls system services")]),
  ...all(["shutdown", "reboot", "halt", "poweroff", "telinit", "init"], () => [risky("shuts down or restarts the machine")]),
  ...all(["docker", "podman", "nerdctl", "kubectl", "helm", "terraform", "tofu", "pulumi", "ansible", "ansible-playbook", "vagrant", "minikube", "kind"], ({ name }) => [risky(`manages containers or infrastructure (${name})`)]),
  ...all(["mount", "umount", "swapon", "swapoff", "sysctl", "modprobe", "insmod", "rmmod", "iptables", "ip6tables", "nft", "ufw", "ip", "ifconfig", "route"], ({ name }) => [risky(`changes system configuration (${name})`)]),
  ...all(["useradd", "userdel", "usermod", "groupadd", "groupdel", "passwd", "chpasswd", "visudo", "adduser", "deluser"], () => [risky("changes users or passwords")]),
  ...all(["aws", "gcloud", "az", "doctl", "flyctl", "heroku", "vercel", "netlify", "wrangler", "firebase"], ({ name }) => [risky(`uses a cloud account (${name})`)]),
  diskutil: ({ args }) => (/^(erase|partition|zero|randomZero|secureErase|reformat)/i.test(subcommand(args).sub) ? [formatsDisks] : [risky("manages disks")]),
  security,
  gpg,
  gpg2: gpg,
  env: printsEnvironment,
  printenv: printsEnvironment,
  history: () => [risky("reads the shell history, which may hold secrets")],
};
