// Variables that change which program runs or inject code into the one that does: setting
// them in front of a safe command (`NODE_OPTIONS=--require=./x.js npm test`) defeats its
// classification, so doing so is risky.
const CODE_INJECTING = new Set([
  "PATH",
  "LD_PRELOAD",
  "LD_LIBRARY_PATH",
  "LD_AUDIT",
  "BASH_ENV",
  "ENV",
  "PROMPT_COMMAND",
  "IFS",
  "SHELLOPTS",
  "BASHOPTS",
  "NODE_OPTIONS",
  "NODE_PATH",
  "PYTHONPATH",
  "PYTHONSTARTUP",
  "PYTHONHOME",
  "PERL5OPT",
  "PERL5LIB",
  "RUBYOPT",
  "RUBYLIB",
  "GIT_SSH",
  "GIT_SSH_COMMAND",
  "GIT_EXEC_PATH",
  "GIT_ASKPASS",
  "GIT_EDITOR",
  "GIT_PAGER",
  "PAGER",
  "EDITOR",
  "VISUAL",
  // Pagers and viewers run programs they are told to.
  "MANPAGER",
  "MANOPT",
  "LESSOPEN",
  "LESSCLOSE",
  "LESS",
  "LESSKEYIN",
  "SYSTEMD_PAGER",
  "BROWSER",
  // Options read from the environment: `TAR_OPTIONS=--to-command=…`, `ZIPOPT='-TT …'`.
  "TAR_OPTIONS",
  "ZIPOPT",
  "UNZIP",
  "GZIP",
  "XZ_OPT",
  "GREP_OPTIONS",
  "RIPGREP_CONFIG_PATH",
  "AWKPATH",
  "AWKLIBPATH",
  // Prompts expand command substitutions (`PS4='$(id)' bash -xc :`).
  "PS0",
  "PS1",
  "PS2",
  "PS4",
  // Build and test tools' option variables can name programs and plugins.
  "MAKEFLAGS",
  "MFLAGS",
  "GNUMAKEFLAGS",
  "GOFLAGS",
  "RUSTC",
  "RUSTC_WRAPPER",
  "RUSTDOC",
  "PYTEST_ADDOPTS",
  "PYTEST_PLUGINS",
  "JAVA_TOOL_OPTIONS",
  "_JAVA_OPTIONS",
  "DOTNET_STARTUP_HOOKS",
  "SSH_ASKPASS",
  "SUDO_ASKPASS",
]);

const CODE_INJECTING_PREFIX = /^(DYLD_|GIT_|npm_config_|BASH_FUNC_)/;
// git reads many GIT_* variables (GIT_EXTERNAL_DIFF, GIT_PROXY_COMMAND, GIT_DIR…); only who
// wrote a commit and when is harmless.
const GIT_HARMLESS = /^GIT_(AUTHOR|COMMITTER)_(NAME|EMAIL|DATE)$/;

export function injectsCode(name: string): boolean {
  return CODE_INJECTING.has(name) || (CODE_INJECTING_PREFIX.test(name) && !GIT_HARMLESS.test(name));
}

/** `NAME=value` as an env(1) argument: the name if it is one. */
export function assignmentName(word: string): string | null {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(word);
  return m ? m[1]! : null;
}
