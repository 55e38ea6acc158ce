import type { Arg } from "../shell/words";
import { commandText, hasOption, lit, operands } from "./argv";
import { denied, repositoryCode, risky, type CommandContext, type Handler, type Verdict } from "./types";

// Inline code that forks without end: the interpreter versions of `:(){ :|:& };:`.
const FORK_LOOP = /fork\s*while\s*fork|while\s*(True|1|true)\s*:?[\s\S]{0,60}\bfork\s*\(|loop\s*\{?\s*(do\s*)?\s*fork|for\s*\(\s*;\s*;\s*\)\s*\{?\s*fork/;

const inlineCode = (language: string, code: Arg | undefined): Verdict[] => [
  code && !code.dynamic && FORK_LOOP.test(code.value)
    ? denied(`runs inline ${language} code that forks without end (a fork bomb)`)
    : risky(`runs inline ${language} code`),
];

function runsFileOrStdin(language: string, file: Arg | undefined, ctx: CommandContext): Verdict[] {
  if (!file || file.value === "-") return [risky(`runs ${language} code from its standard input`)];
  ctx.runsFile(file);
  return [risky(`runs the ${language} script \`${file.value}\`, whose contents are not checked`)];
}

/** Shells: `-c` code is parsed and classified like the rest of the command line. */
const shell: Handler = ({ args }, ctx) => {
  const cIndex = args.findIndex((a) => /^-[a-zA-Z]*c[a-zA-Z]*$/.test(a.value) || a.value === "-c");
  if (cIndex >= 0) {
    const code = args.slice(cIndex + 1).find((a) => !a.value.startsWith("-") || a.dynamic);
    if (!code) return [risky("has -c without code")];
    if (code.dynamic) {
      ctx.cannotRead("runs shell code that is only known at run time");
      return [];
    }
    ctx.script(code);
    return [];
  }
  if (hasOption(args, null, "version")) return [];
  return runsFileOrStdin("shell", operands(args)[0], ctx);
};

type InterpreterSpec = { language: string; inline: string[]; version: string[]; safeModules?: RegExp; test?: string[] };

const interpreter =
  (spec: InterpreterSpec): Handler =>
  ({ args }, ctx) => {
    for (let i = 0; i < args.length; i++) {
      const v = args[i]!.value;
      if (spec.inline.includes(v) || spec.inline.some((flag) => flag.length === 2 && v.startsWith(flag) && v.length > 2)) {
        ctx.cannotRead(`runs inline ${spec.language} code`, false);
      }
      if (spec.inline.includes(v)) return inlineCode(spec.language, args[i + 1]);
      const attached = spec.inline.find((flag) => flag.length === 2 && v.startsWith(flag) && v.length > 2);
      if (attached) return inlineCode(spec.language, { ...args[i]!, value: v.slice(2) });
      if (spec.version.includes(v)) return [];
      if (spec.test?.includes(v)) return [repositoryCode(`${spec.language} tests (${v})`)];
      if (v === "-m" && spec.safeModules) {
        const mod = args[i + 1];
        if (mod && spec.safeModules.test(mod.value)) return [repositoryCode(`the ${spec.language} module \`${mod.value}\``)];
        if (mod?.value === "pip") {
          ctx.nested([lit("pip"), ...args.slice(i + 2)]);
          return [];
        }
        return [risky(`runs the ${spec.language} module \`${mod?.value ?? ""}\``)];
      }
      if (!v.startsWith("-") || args[i]!.dynamic) return runsFileOrStdin(spec.language, args[i], ctx);
    }
    return runsFileOrStdin(spec.language, undefined, ctx);
  };

const python = interpreter({
  language: "Python",
  inline: ["-c"],
  version: ["-V", "--version", "-VV"],
  safeModules: /^(pytest|unittest|mypy|ruff|black|flake8|pylint|isort|pyright|doctest|compileall|py_compile|json\.tool|tabnanny|pydoc|coverage|venv)$/,
});
const node = interpreter({ language: "JavaScript", inline: ["-e", "--eval", "-p", "--print"], version: ["-v", "--version"], test: ["--test"] });
const perl = interpreter({ language: "Perl", inline: ["-e", "-E"], version: ["-v", "--version", "-V"] });
const ruby = interpreter({ language: "Ruby", inline: ["-e"], version: ["-v", "--version"] });
const php = interpreter({ language: "PHP", inline: ["-r"], version: ["-v", "--version"] });
const lua = interpreter({ language: "Lua", inline: ["-e"], version: ["-v"] });
const rscript = interpreter({ language: "R", inline: ["-e"], version: ["--version"] });
const powershell = interpreter({ language: "PowerShell", inline: ["-c", "-Command", "-command", "-EncodedCommand", "-enc", "-e"], version: ["-v", "--version"] });
const osascript = interpreter({ language: "AppleScript", inline: ["-e"], version: [] });
const tsx = interpreter({ language: "TypeScript", inline: ["-e", "--eval", "-p", "--print"], version: ["-v", "--version"] });

/** `eval` and `source` run code the classifier also reads when it is written out in full. */
const evalCommand: Handler = ({ args }, ctx) => {
  if (args.length && args.every((a) => !a.dynamic)) ctx.script(lit(args.map((a) => a.value).join(" ")));
  else ctx.cannotRead("evaluates code only known at run time", false);
  return [risky(args.some((a) => a.dynamic) ? "evaluates code only known at run time" : "evaluates a string as shell code")];
};

const source: Handler = ({ args }, ctx) => {
  const file = args[0];
  if (file) ctx.runsFile(file);
  return [risky(`runs \`${file?.value ?? ""}\` in the current shell (source)`)];
};

/** `watch cmd args…` joins its arguments and runs them with `sh -c`. */
const watch: Handler = ({ args }, ctx) => {
  const withValue = new Set(["-n", "--interval", "-d", "--differences"]);
  let i = 0;
  while (i < args.length && args[i]!.value.startsWith("-")) i += withValue.has(args[i]!.value) && args[i]!.value !== "-d" ? 2 : 1;
  const rest = args.slice(i);
  if (!rest.length) return [risky("has no command to watch")];
  if (rest.some((a) => a.dynamic)) return [risky("runs shell code only known at run time")];
  ctx.script(lit(rest.length === 1 ? rest[0]!.value : commandText(rest)));
  return [];
};

const su: Handler = ({ args }, ctx) => {
  const code = args.findIndex((a) => a.value === "-c" || a.value === "--command");
  if (code >= 0 && args[code + 1] && !args[code + 1]!.dynamic) ctx.script(args[code + 1]!);
  return [risky("runs commands as another user (su)")];
};

const SHELLS = ["sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "fish", "csh", "tcsh", "busybox"];

export const interpreterCommands: Record<string, Handler> = {
  ...Object.fromEntries(SHELLS.map((s) => [s, shell])),
  python,
  python3: python,
  python2: python,
  pypy: python,
  pypy3: python,
  node,
  nodejs: node,
  perl,
  ruby,
  php,
  lua,
  Rscript: rscript,
  pwsh: powershell,
  powershell,
  osascript,
  tsx,
  "ts-node": tsx,
  eval: evalCommand,
  source,
  ".": source,
  watch,
  su,
  alias: () => [risky("defines an alias that changes what a command name runs")],
  trap: () => [risky("sets a trap that runs code on a signal")],
  enable: () => [risky("turns shell builtins on or off")],
};
