import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { runProcessGroup, type ProcessOutcome } from "./processGroup";

const DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin";

/**
 * The command's whole environment: an allow-list, not the job process's environment minus
 * some names, so no credential, API key or database/Redis URL can leak into it. HOME is a
 * fresh folder per command, so nothing of the host user's dotfiles (or a previous run's) is seen.
 */
export function commandEnv(home: string, source: Record<string, string | undefined> = process.env) {
  return {
    PATH: source.PATH ?? DEFAULT_PATH,
    HOME: home,
    LANG: source.LANG ?? "C.UTF-8",
    TERM: "dumb",
    CI: "1",
    TZ: source.TZ ?? "UTC",
  };
}

/**
 * `bash -c <command>` in a run's workspace, in its own process group (stopped whole on
 * `signal`), with the allow-listed environment and a throwaway HOME. The `cli` executor and
 * the agent's `shell` tool both run commands this way.
 */
export async function runBashCommand(opts: {
  command: string;
  workspace: string;
  signal: AbortSignal;
  onOutput: (stream: "stdout" | "stderr", chunk: Buffer) => void;
}): Promise<ProcessOutcome> {
  const home = await fs.mkdtemp(path.join(os.tmpdir(), "agentdesk-home-"));
  try {
    return await runProcessGroup({
      file: "bash",
      args: ["-c", opts.command],
      cwd: opts.workspace,
      env: commandEnv(home),
      signal: opts.signal,
      onOutput: opts.onOutput,
    });
  } finally {
    await fs.rm(home, { recursive: true, force: true });
  }
}
