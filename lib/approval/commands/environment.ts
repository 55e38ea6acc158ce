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
]);

const CODE_INJECTING_PREFIX = /^(DYLD_|GIT_CONFIG|npm_config_|BASH_FUNC_)/;

export function injectsCode(name: string): boolean {
  return CODE_INJECTING.has(name) || CODE_INJECTING_PREFIX.test(name);
}

/** `NAME=value` as an env(1) argument: the name if it is one. */
export function assignmentName(word: string): string | null {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(word);
  return m ? m[1]! : null;
}
