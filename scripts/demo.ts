import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { demoFiles, demoTurn } from "../demo/script";
import { runGit } from "../jobs/git/exec";
import { loadConfig } from "../lib/config";
import { startFakeAnthropic } from "../tests/support/fakeAnthropic";

/**
 * `npm run demo`: AgentDesk with no API key. A local scripted model (the test suite's fake
 * Messages API, playing demo/script.ts) answers the agent, and a sample repository is made
 * under DATA_DIR; then AgentDesk starts exactly as `npm start` does. The UI labels the model
 * "demo model" (AGENT_DEMO=1) so nobody takes it for Claude.
 */
const root = path.resolve(import.meta.dirname, "..");
const log = (line: string) => console.log(`[demo] ${line}`);

async function createSampleRepo(dir: string): Promise<void> {
  if (await fs.stat(path.join(dir, ".git")).then(() => true, () => false)) return;
  await fs.mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(demoFiles)) {
    await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await fs.writeFile(path.join(dir, name), content);
  }
  const author = { GIT_AUTHOR_NAME: "AgentDesk demo", GIT_AUTHOR_EMAIL: "demo@localhost", GIT_COMMITTER_NAME: "AgentDesk demo", GIT_COMMITTER_EMAIL: "demo@localhost" };
  await runGit(["init", "--quiet", "--initial-branch=main"], { cwd: dir });
  await runGit(["add", "--all"], { cwd: dir });
  await runGit(["-c", "commit.gpgsign=false", "commit", "--quiet", "-m", "Sample repository for the AgentDesk demo"], { cwd: dir, env: author });
}

async function main(): Promise<void> {
  const config = loadConfig();
  const repoDir = path.join(config.dataDir, "demo-repo");
  await createSampleRepo(repoDir);
  const fake = await startFakeAnthropic((request) => demoTurn(request));
  log(`Demo model (scripted, local) listening at ${fake.url}`);

  // In a process group of its own: a Ctrl-C in the terminal reaches only us, and we pass it on
  // once. (In our group it would get the terminal's SIGINT and ours, and take the second as
  // "stop without waiting".)
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    cwd: root,
    stdio: "inherit",
    detached: true,
    env: {
      ...process.env,
      ANTHROPIC_API_KEY: "demo",
      ANTHROPIC_BASE_URL: fake.url,
      AGENT_MODEL: "demo-model",
      AGENT_DEMO: "1",
      ALLOW_LOCAL_REPOS: "1",
      DATA_DIR: config.dataDir,
      DEMO_REPO_PATH: repoDir,
    },
  });
  // If we die without passing a signal on, AgentDesk does not stay behind.
  process.on("exit", () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  });
  log("Starting AgentDesk (as npm start does)…");
  log("Then, in the browser:");
  log("  1. Sign up: the first account is the admin.");
  log(`  2. New run: the sample repository (${repoDir}) is registered as "demo" and the agent (demo model) is preselected; any prompt.`);
  log("  Watch the agent explore, get refused outside its workspace, edit, run a command; then review the diff.");
  log("  With approvals \"Ask before risky actions\" (the default), running the program and its `rm -rf build` wait for you: approve or deny them on their cards.");

  const stop = (signal: NodeJS.Signals) => child.kill(signal);
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  const code = await new Promise<number>((resolve) => child.on("exit", (c, s) => resolve(c ?? (s ? 1 : 0))));
  await fake.close();
  process.exit(code);
}

main().catch((e: unknown) => {
  console.error(`[demo] ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
