import path from "node:path";
import { resolveAuthSecret } from "../lib/authSecret";
import { ConfigError, loadConfig, type Config } from "../lib/config";
import { dbTargetFromConfig, type DbTarget } from "../lib/db/target";
import { buildReason } from "./lib/buildIfNeeded";
import { binPath, describeExit, spawnChild, type ManagedChild } from "./lib/children";
import { assertPortFree } from "./lib/ports";
import { ensureRedis, type RedisForStart } from "./lib/redisForStart";
import { StartError } from "./lib/startError";
import { serveStartingPage, type StartingPage } from "./lib/startingPage";
import { waitForHealth } from "./lib/waitForHealth";
import { acceptedNodeFlags, WEB_NODE_FLAGS } from "./lib/webNodeFlags";

/**
 * `npm start` / `npm run dev`: one command from a fresh install to a running AgentDesk.
 * Redis (ours if need be), database migrations, a build when the sources changed, then the
 * web and the job process side by side, stopped together.
 */

const root = path.resolve(import.meta.dirname, "..");
const dev = process.argv.includes("--dev");

const log = (line: string) => console.log(`[start] ${line}`);
const warn = (line: string) => console.error(`[start] ${line}`);

/** Thrown by a start-up step that notices a shutdown has begun; the shutdown does the rest. */
class ShuttingDown extends Error {}

const state = {
  stopping: false,
  graceMs: 15_000,
  children: [] as ManagedChild[],
  redis: undefined as RedisForStart | undefined,
  // What the browser sees on PORT until the web takes it over.
  startingPage: undefined as StartingPage | undefined,
  // The start-up step in progress: a shutdown waits for it so that nothing it is creating
  // (a private Redis, a half-applied migration) is left behind.
  step: Promise.resolve() as Promise<unknown>,
};

function checkpoint(): void {
  if (state.stopping) throw new ShuttingDown();
}

async function runStep<T>(work: () => Promise<T>): Promise<T> {
  checkpoint();
  const promise = work();
  state.step = promise;
  const result = await promise;
  checkpoint();
  return result;
}

async function shutdown(code: number, reason?: string): Promise<void> {
  if (state.stopping) return;
  state.stopping = true;
  if (reason) warn(reason);
  const running = state.children.some((c) => !c.hasExited()) || state.redis?.privateServer;
  if (running) log(code === 0 ? "Stopping AgentDesk…" : "Stopping the rest…");
  await state.startingPage?.close();
  await Promise.all(state.children.map((c) => c.stop(state.graceMs)));
  await Promise.allSettled([state.step]);
  // Last, so the worker can still finish its shutdown (hand back its jobs) against it.
  await state.redis?.stop();
  if (running) log("Stopped.");
  process.exit(code);
}

function onSignal(signal: NodeJS.Signals): void {
  if (state.stopping) {
    warn(`${signal} again: killing web and worker without waiting.`);
    for (const child of state.children) child.kill();
    return;
  }
  void shutdown(0);
}

async function startChild(
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  label?: string,
): Promise<ManagedChild> {
  checkpoint();
  const child = await spawnChild(name, command, args, { cwd: root, env });
  state.children.push(child);
  if (label) {
    void child.exited.then((info) => {
      if (!state.stopping) void shutdown(1, `${label} exited unexpectedly (${describeExit(info)}); see its output above.`);
    });
  }
  checkpoint();
  return child;
}

function describeDatabase(target: DbTarget): string {
  if (target.kind === "pglite") return `embedded PGlite at ${target.dir ?? "(in memory)"}`;
  const u = new URL(target.url);
  const host = u.hostname ? `${u.hostname}${u.port ? `:${u.port}` : ""}` : "local socket";
  return `PostgreSQL at ${host}${u.pathname}`;
}

function childEnvironment(config: Config, authSecret: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AUTH_SECRET: authSecret,
    NODE_ENV: process.env.NODE_ENV || (dev ? "development" : "production"),
    // Self-hosted and private by default: Next.js would otherwise report usage home.
    NEXT_TELEMETRY_DISABLED: process.env.NEXT_TELEMETRY_DISABLED ?? "1",
  };
  // Children write to pipes, so they would drop their colours; keep them for a terminal.
  if (process.stdout.isTTY && env.NO_COLOR === undefined && env.FORCE_COLOR === undefined) {
    env.FORCE_COLOR = "1";
  }
  // The web and the worker read DATA_DIR themselves; an absolute path means they agree with
  // us even if one of them changes directory.
  env.DATA_DIR = config.dataDir;
  return env;
}

async function migrate(config: Config, env: NodeJS.ProcessEnv): Promise<void> {
  const target = dbTargetFromConfig(config);
  log(`Database: ${describeDatabase(target)}`);
  // A child of its own (scripts/migrate.ts says why), not in state.children: a shutdown waits
  // for the step rather than stopping it, so no migration is left half-applied.
  const child = await spawnChild("migrate", binPath(root, "tsx"), ["scripts/migrate.ts"], { cwd: root, env });
  const info = await child.exited;
  if (info.code !== 0) {
    throw new StartError(`Database migration failed (${describeDatabase(target)}; ${describeExit(info)}); its output is above.`);
  }
}

async function buildIfNeeded(env: NodeJS.ProcessEnv): Promise<void> {
  const reason = buildReason(root);
  if (!reason) {
    log("Build is up to date.");
    return;
  }
  log(`Building AgentDesk (first start takes a minute)… (${reason})`);
  const build = await startChild("build", binPath(root, "next"), ["build"], env);
  const info = await build.exited;
  checkpoint();
  if (info.code !== 0) throw new StartError(`next build failed (${describeExit(info)}); its output is above.`);
}

function installHandlers(): void {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, onSignal);
  // `npm start | head` or a closed terminal: nobody reads us any more, so stop cleanly rather
  // than crash on the next write.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code !== "EPIPE") throw err;
      void shutdown(0);
    });
  }
  // Children run detached (see spawnChild); if we die on a crash, do not leave them behind.
  process.on("exit", () => {
    for (const child of [...state.children, state.redis?.privateServer]) {
      if (child && !child.hasExited()) child.kill();
    }
  });
}

async function main(): Promise<void> {
  process.chdir(root);
  installHandlers();

  const config = loadConfig();
  state.graceMs = Math.max(15_000, config.shutdownDeadlineMs + 5_000);
  const authSecret = resolveAuthSecret(config);
  const env = childEnvironment(config, authSecret);
  log(`AgentDesk${dev ? " in development mode" : ""}; data in ${config.dataDir}`);

  await assertPortFree(config.port, "PORT");
  if (config.workerPort !== 0) await assertPortFree(config.workerPort, "WORKER_PORT");

  state.startingPage = await serveStartingPage(config.port, "Starting Redis…");
  // Assigned inside the step so that a shutdown arriving meanwhile still finds it to stop.
  await runStep(async () => {
    state.redis = await ensureRedis({ url: config.redisUrl, dataDir: config.dataDir, cwd: root, log });
  });
  // The URL with the private server's password, when it is ours.
  env.REDIS_URL = state.redis!.url;
  const privateRedis = state.redis?.privateServer;
  if (privateRedis) {
    void privateRedis.exited.then((info) => {
      if (!state.stopping) void shutdown(1, `The private Redis exited unexpectedly (${describeExit(info)}).`);
    });
  }

  state.startingPage.setStep("Applying database migrations…");
  await runStep(() => migrate(config, env));
  state.startingPage.setStep("Building AgentDesk (the first start takes a minute)…");
  if (!dev) await runStep(() => buildIfNeeded(env));
  state.startingPage.setStep("Starting the web server…");
  await state.startingPage.close();

  const next = binPath(root, "next");
  const tsx = binPath(root, "tsx");
  const port = String(config.port);
  // Through node itself, so that the web gets its own V8 flags (NODE_OPTIONS refuses them).
  const webArgs = [...acceptedNodeFlags(WEB_NODE_FLAGS), next, dev ? "dev" : "start", "-p", port];
  await startChild("web", process.execPath, webArgs, env, "The web server (web)");
  await startChild(
    "worker",
    tsx,
    dev ? ["watch", "--clear-screen=false", "jobs/main.ts"] : ["jobs/main.ts"],
    env,
    "The job process (worker)",
  );

  const healthy = await waitForHealth({
    url: `http://127.0.0.1:${config.port}/api/health`,
    stillUseful: () => !state.stopping,
    onSlow: (answer) =>
      warn(`Still waiting for the web to report healthy at /api/health (last answer: ${answer}).`),
  });
  if (!healthy) return;
  const rule = "─".repeat(60);
  console.log(
    [
      "",
      rule,
      `  AgentDesk is running at ${config.appUrl}`,
      "  First time? Sign up — the first account becomes admin.",
      `  ${dev ? "Development mode: code changes reload. " : ""}Press Ctrl-C to stop.`,
      rule,
      "",
    ].join("\n"),
  );
}

main().catch((err: unknown) => {
  if (err instanceof ShuttingDown) return;
  if (err instanceof ConfigError || err instanceof StartError) {
    console.error(err.message);
  } else {
    console.error("[start] Unexpected error:", err);
  }
  // Anything already started (a private Redis, a build) is stopped before exiting.
  void shutdown(1);
});
