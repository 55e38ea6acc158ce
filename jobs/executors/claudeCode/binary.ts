import { execFileSync } from "node:child_process";
import { accessSync, constants as fsConstants, realpathSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { SANDBOX_PATH } from "../../sandbox/env";
import { APP_NODE_MODULES } from "../acp/agentCommand";

/**
 * The Claude Code CLI the Agent SDK drives: a native binary in the SDK's optional dependency for
 * this platform (one copy, shared with claude-agent-acp). It runs inside the run's sandbox, which
 * sees its folder read-only.
 */
export type ClaudeCodeBinary = { path: string; folder: string };

const PACKAGE = `@anthropic-ai/claude-agent-sdk-${process.platform}-${process.arch}`;

export function claudeCodeBinaryPath(nodeModules = APP_NODE_MODULES): string {
  return path.join(nodeModules, PACKAGE, "claude");
}

let checked: { binary: ClaudeCodeBinary } | { problem: string } | undefined;

/**
 * The binary, or why this job process cannot run it (not installed for this platform, not
 * executable, or it does not start). Checked once: `claude --version` takes milliseconds.
 */
export function claudeCodeBinary(): { binary: ClaudeCodeBinary } | { problem: string } {
  checked ??= check(claudeCodeBinaryPath());
  return checked;
}

export function check(candidate: string): { binary: ClaudeCodeBinary } | { problem: string } {
  let real: string;
  try {
    real = realpathSync(candidate);
    accessSync(real, fsConstants.X_OK);
  } catch {
    return { problem: `the Claude Code CLI is not installed for ${process.platform}-${process.arch} (npm install puts it in node_modules/${PACKAGE})` };
  }
  try {
    // Nothing of the job process's environment: the CLI only says its version.
    const env: Record<string, string> = { PATH: SANDBOX_PATH, HOME: os.tmpdir(), CLAUDE_CONFIG_DIR: path.join(os.tmpdir(), "agentdesk-claude-version-check") };
    execFileSync(real, ["--version"], {
      // Next.js's types make NODE_ENV required in ProcessEnv; the child gets exactly `env`.
      env: env as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 15_000,
    });
  } catch (e) {
    return { problem: `the Claude Code CLI at ${real} does not start: ${(e as Error).message.split("\n")[0]}` };
  }
  return { binary: { path: real, folder: path.dirname(real) } };
}
