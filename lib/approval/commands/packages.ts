import type { Arg } from "../shell/words";
import { hasOption, operands, subcommand } from "./argv";
import { repositoryCode, risky, type Handler, type Verdict } from "./types";

// The project's own checks: running them is what an agent is for. They run the repository's
// code (its tests, its config files, its build scripts), which only the sandbox contains: they
// run without asking in the sandbox and ask without it (`repositoryCode`).
const CHECK_SCRIPT = /^(test|tests|lint|build|typecheck|type-check|types|check|compile|format:check|fmt:check|prettier:check|ci:test)([:-].+)?$/;

const INSTALL = "installs packages (downloads code and runs its install scripts)";
const ok: Verdict[] = [];

const script = (name: string): Verdict[] =>
  CHECK_SCRIPT.test(name) ? [repositoryCode(`the package script "${name}"`)] : [risky(`runs the package script "${name}", which is not a test, lint or build script`)];

// Tools that check or build the project; `npx <tool>` runs the local copy.
const CHECK_TOOLS = new Set([
  "vitest", "jest", "mocha", "ava", "tap", "tsc", "eslint", "prettier", "biome", "oxlint", "playwright", "cypress",
  "next", "vite", "tsup", "rollup", "webpack", "esbuild", "turbo", "nx", "stylelint", "markdownlint", "c8", "nyc",
  "pytest", "py.test", "mypy", "ruff", "black", "flake8", "pylint", "isort", "pyright", "rspec", "phpunit", "ctest",
  "golangci-lint", "gofmt", "rustfmt", "clippy-driver", "knip", "depcheck", "lint-staged", "tsd", "type-coverage",
]);

const checkTool: Handler = ({ name }) => [repositoryCode(name)];

const npm: Handler = ({ args }) => {
  const { sub, rest } = subcommand(args, new Set(["--prefix", "-w", "--workspace", "-C"]));
  if (sub === "") return hasOption(args, "v", "version") ? ok : [risky("runs npm without a subcommand")];
  if (["test", "t", "tst"].includes(sub)) return [repositoryCode(`npm ${sub}`)];
  if (["run", "run-script", "rum", "urn"].includes(sub)) {
    const name = operands(rest)[0]?.value;
    return name ? script(name) : ok;
  }
  if (["ls", "list", "ll", "la", "view", "v", "info", "show", "outdated", "help", "explain", "why", "root", "bin", "prefix", "search", "audit", "config", "get", "doctor", "fund", "query", "pack"].includes(sub)) {
    if (sub === "audit" && operands(rest)[0]?.value === "fix") return [risky(INSTALL)];
    if (sub === "config" && !["get", "list", "ls"].includes(operands(rest)[0]?.value ?? "")) return [risky("changes npm configuration")];
    return ok;
  }
  if (["install", "i", "in", "ins", "inst", "insta", "instal", "isnt", "isnta", "isntal", "add", "ci", "clean-install", "install-test", "it", "install-ci-test", "update", "up", "upgrade", "rebuild", "dedupe", "link", "ln"].includes(sub)) {
    return [risky(INSTALL)];
  }
  if (["uninstall", "remove", "rm", "r", "un", "unlink", "prune"].includes(sub)) return [risky("removes packages")];
  if (["exec", "x"].includes(sub)) return npxVerdicts(rest);
  if (["publish", "unpublish", "deprecate", "dist-tag", "owner", "access", "token", "login", "logout", "adduser", "team", "org", "star", "hook"].includes(sub)) {
    return [risky(`changes things on the npm registry (npm ${sub})`)];
  }
  if (["start", "restart", "stop"].includes(sub)) return [risky(`runs the package's ${sub} script`)];
  return [risky(`runs \`npm ${sub}\`, which the policy does not know`)];
};

const NPX_WITH_VALUE = new Set(["-p", "--package", "-c", "--call"]);

function npxVerdicts(args: Arg[]): Verdict[] {
  if (args.some((a) => a.value === "-c" || a.value === "--call")) return [risky("runs shell code through npx -c")];
  const { sub: tool } = subcommand(args, NPX_WITH_VALUE);
  if (CHECK_TOOLS.has(tool) && !args.some((a) => a.value === "-p" || a.value === "--package")) return [repositoryCode(tool)];
  return [risky(`runs the package "${tool}" with npx, which may download and run it`)];
}

/** yarn, pnpm and bun share npm's shape: `<pm> test`, `<pm> run <script>`, `<pm> <script>`. */
const packageManager =
  (pm: string): Handler =>
  ({ args }) => {
    const { sub, rest } = subcommand(args, new Set(["--cwd", "-C", "--dir", "--filter", "-F"]));
    if (sub === "") return hasOption(args, "v", "version") ? ok : [risky(INSTALL)];
    if (["install", "i", "add", "ci", "update", "up", "upgrade", "link", "rebuild", "import", "dedupe"].includes(sub)) return [risky(INSTALL)];
    if (["remove", "rm", "uninstall", "unlink", "prune"].includes(sub)) return [risky("removes packages")];
    if (["dlx", "x", "exec"].includes(sub)) return npxVerdicts(rest);
    if (["ls", "list", "why", "info", "view", "outdated", "audit", "config", "licenses", "--version"].includes(sub)) return ok;
    if (["publish", "login", "logout", "npm", "pack"].includes(sub)) return [risky(`runs \`${pm} ${sub}\``)];
    if (sub === "run" || sub === "run-script") {
      const name = operands(rest)[0]?.value;
      return name ? script(name) : ok;
    }
    if (pm === "bun" && sub === "test") return [repositoryCode("bun test")];
    return script(sub);
  };

const pip: Handler = ({ args }) => {
  const { sub } = subcommand(args);
  if (["list", "show", "freeze", "check", "help", "debug", "inspect", "index", "search", ""].includes(sub)) return ok;
  if (["install", "download", "wheel"].includes(sub)) return [risky(INSTALL)];
  return [risky(`changes Python packages (pip ${sub})`)];
};

/**
 * Tools whose subcommand decides: `go test` checks (running the repository's code), `go fmt`
 * only reads and rewrites source, `go run` runs anything.
 */
const bySubcommand =
  (tool: string, checks: string[], plain: string[] = [], withValue: string[] = []): Handler =>
  ({ args }) => {
    const { sub } = subcommand(args, new Set(withValue));
    if (plain.includes(sub)) return ok;
    if (checks.includes(sub)) return [repositoryCode(`${tool} ${sub}`)];
    if (["install", "get", "add", "publish", "login", "download", "fetch"].includes(sub)) return [risky(`${INSTALL} (${tool} ${sub})`)];
    return [risky(`runs \`${tool} ${sub || "(no subcommand)"}\`, which is not a test, lint or build command`)];
  };

const MAKE_TARGETS = /^(test|tests|check|lint|build|typecheck|fmt-check|format-check|vet|unit|integration)([:_-].*)?$/;

const make: Handler = ({ args }) => {
  if (hasOption(args, "f", "file") || hasOption(args, null, "makefile")) return [risky("runs a makefile other than the project's")];
  const targets = operands(args).filter((a) => !a.value.includes("=") && !/^-C/.test(a.value));
  const dirArg = args.findIndex((a) => a.value === "-C");
  const named = targets.filter((t) => dirArg < 0 || t !== args[dirArg + 1]);
  if (named.length && named.every((t) => !t.dynamic && MAKE_TARGETS.test(t.value))) return [repositoryCode(`make ${named.map((t) => t.value).join(" ")}`)];
  return [risky(named.length ? `runs make targets that are not test, lint or build targets` : "runs the makefile's default target")];
};

const BUILD_TASKS = ["test", "build", "check", "verify", "compile", "package", "assemble", "lint", "clippy", "fmt", "vet"];
const SYSTEM_PM_SAFE = ["list", "search", "show", "info", "policy", "--version", "-v", "outdated", "deps"];

const systemPackages: Handler = ({ args }) => {
  const { sub } = subcommand(args);
  return SYSTEM_PM_SAFE.includes(sub) ? ok : [risky("installs or changes system packages")];
};

/** `poetry run pytest`, `uv run pytest`: the command after `run` is what runs. */
const runner =
  (tool: string): Handler =>
  ({ args }, ctx) => {
    const { sub, rest } = subcommand(args);
    if (sub === "run") {
      if (rest.length) ctx.nested(rest);
      return ok;
    }
    if (["show", "check", "version", "--version", "tree", "lock"].includes(sub)) return ok;
    return [risky(`changes the Python environment (${tool} ${sub})`)];
  };

export const packageCommands: Record<string, Handler> = {
  ...Object.fromEntries([...CHECK_TOOLS].map((t) => [t, checkTool])),
  npm,
  npx: ({ args }) => npxVerdicts(args),
  yarn: packageManager("yarn"),
  pnpm: packageManager("pnpm"),
  bun: packageManager("bun"),
  bunx: ({ args }) => npxVerdicts(args),
  pip,
  pip3: pip,
  go: bySubcommand("go", ["test", "build", "vet"], ["fmt", "version", "env", "list", "doc", "help"]),
  // build.rs scripts run on every build, check and test.
  cargo: bySubcommand("cargo", ["test", "build", "check", "clippy", "doc", "bench", "nextest"], ["fmt", "tree", "metadata", "version", "--version"]),
  make,
  gmake: make,
  gradle: bySubcommand("gradle", BUILD_TASKS),
  gradlew: bySubcommand("gradlew", BUILD_TASKS),
  mvn: bySubcommand("mvn", BUILD_TASKS),
  mvnw: bySubcommand("mvnw", BUILD_TASKS),
  dotnet: bySubcommand("dotnet", ["test", "build", "format"], ["--version", "--info"]),
  swift: bySubcommand("swift", ["test", "build"], ["--version"]),
  deno: bySubcommand("deno", ["test"], ["lint", "fmt", "check", "--version"]),
  bazel: bySubcommand("bazel", ["test", "build", "query"], ["version"]),
  rake: bySubcommand("rake", ["test", "spec", "lint"]),
  // The Gemfile is Ruby code, evaluated by every bundle command.
  bundle: bySubcommand("bundle", ["check", "list", "show", "outdated"]),
  composer: bySubcommand("composer", ["test", "lint"], ["validate", "show", "outdated"]),
  tox: () => [risky("creates environments and installs packages (tox)")],
  poetry: runner("poetry"),
  uv: runner("uv"),
  pdm: runner("pdm"),
  pipenv: runner("pipenv"),
  apt: systemPackages,
  "apt-get": systemPackages,
  "apt-cache": () => ok,
  aptitude: systemPackages,
  dpkg: ({ args }) => (hasOption(args, "l", "list") || hasOption(args, "L", "listfiles") || hasOption(args, "s", "status") ? ok : [risky("installs or removes system packages")]),
  brew: systemPackages,
  yum: systemPackages,
  dnf: systemPackages,
  apk: systemPackages,
  pacman: ({ args }) => (hasOption(args, "Q", "query") ? ok : [risky("installs or changes system packages")]),
  zypper: systemPackages,
  snap: systemPackages,
  flatpak: systemPackages,
  port: systemPackages,
  gem: systemPackages,
  conda: systemPackages,
  mamba: systemPackages,
  pipx: systemPackages,
  choco: systemPackages,
  winget: systemPackages,
};
