import type { Handler } from "./types";

// Read-only inspection and shell plumbing: they print, compare or compute and change nothing
// (writing their output somewhere is judged separately, as a redirection).
const READ_ONLY = [
  "ls", "ll", "la", "dir", "cat", "bat", "head", "tail", "less", "more", "grep", "egrep", "fgrep", "rg", "ag", "ack",
  "wc", "diff", "cmp", "comm", "uniq", "cut", "tr", "paste", "join", "column", "fold", "fmt", "nl", "tac", "rev",
  "pwd", "echo", "printf", "which", "type", "whereis", "whoami", "id", "groups", "date", "cal", "uname", "hostname",
  "true", "false", "test", "[", "basename", "dirname", "realpath", "readlink", "stat", "file", "du", "df", "tree",
  "jq", "yq", "sha1sum", "sha256sum", "sha512sum", "md5sum", "md5", "shasum", "cksum", "b2sum", "od", "hexdump",
  "xxd", "strings", "seq", "sleep", "expr", "bc", "cd", "pushd", "popd", "set", "shopt", "read", "wait", "exit",
  "return", "shift", ":", "local", "export", "declare", "typeset", "readonly", "unset", "getopts", "let", "base64",
  "base32", "iconv", "nproc", "free", "uptime", "ps", "top", "lsof", "locale", "tput", "clear", "man", "help",
  "info", "apropos", "whatis", "sum", "split", "csplit", "expand", "unexpand", "numfmt", "factor", "yes", "tty",
  "mktemp", "zcat", "zless", "zgrep", "bzcat", "xzcat", "lscpu", "lsblk", "users", "who", "w", "last", "logname",
  "arch", "getconf", "pathchk", "sha224sum", "sha384sum", "tsort", "ptx", "look", "wdiff", "colordiff", "sdiff",
  "diff3", "fd", "fdfind", "locate", "ldd", "nm", "objdump", "readelf", "size", "otool", "shellcheck", "hadolint",
];

export const readOnly: Record<string, Handler> = Object.fromEntries(READ_ONLY.map((name) => [name, () => []]));
