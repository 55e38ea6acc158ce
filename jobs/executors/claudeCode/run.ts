import path from "node:path";
import { query, type Options } from "@anthropic-ai/claude-agent-sdk";
import type { ModelPrice } from "../../../lib/config";
import { DEFAULT_INPUT_TIMEOUT_SEC } from "../../../lib/inputTimeout";
import { loadRepoInstructions } from "../../agent/instructions";
import type { RunLimits } from "../../agent/limits";
import { TextCoalescer } from "../../agent/textCoalescer";
import { errorMessage } from "../../errors";
import { workspaceViewProblem } from "../../sandbox/bwrapArgs";
import { openSandbox, type OpenSandbox } from "../../sandbox/sandbox";
import type { SandboxSpec } from "../../sandbox/spec";
import type { ExecutorContext, ExecutorResult } from "../types";
import type { ClaudeCodeBinary } from "./binary";
import { SessionCheckpoints } from "./checkpoints";
import { ClaudeCodeFeed } from "./feed";
import { RESUME_PROMPT, followUpPrompt, systemPromptAppend } from "./prompts";
import { sandboxedCli } from "./sandboxedProcess";
import { claudeCodeMcpServers } from "./mcpServers";
import { CONFIG_FOLDER, SessionFilesError, readSessionFiles, restoreSessionFiles, transcriptHasResult } from "./session";
import { freshCounters, parseClaudeCodeState, type ClaudeCodeState, type SessionCounters } from "./state";
import { toolHooks } from "./toolHooks";

export type ClaudeCodeRunOptions = {
  binary: ClaudeCodeBinary;
  model: string;
  price: ModelPrice;
  limits: RunLimits;
  /** The Messages API the model gateway forwards to, and the key it adds. */
  upstreamUrl: string;
  apiKey: string;
  /** Retries of a failed model request, by Claude Code itself (each shown in the feed). */
  maxRetries: number;
  textFlushMs: number;
  /** The job process's environment, where MCP servers' variables are read. */
  env: Record<string, string | undefined>;
};

/** Where the CLI sees the workspace: the same folder in every delivery, so a resumed session's paths hold. */
export const WORKSPACE_VIEW = "/workspace";

/**
 * Tools of Claude Code that make no sense in a background run (scheduling itself, other
 * worktrees, remote triggers): not offered to the model.
 */
const DISALLOWED_TOOLS = ["CronCreate", "CronDelete", "CronList", "ScheduleWakeup", "RemoteTrigger", "EnterWorktree", "ExitWorktree", "PushNotification"];

/**
 * One delivery of a `claude-code` run: the Claude Code CLI, driven by the Claude Agent SDK, runs
 * inside the run's sandbox and talks to the model through the sandbox's model gateway (the key
 * stays here); its shell commands run one namespace further in, with no route to the gateway.
 * A new run starts a session; a follow-up (request changes) or a resumed delivery (crash) puts
 * the saved session back into the new sandbox and resumes it.
 */
export async function runClaudeCode(options: ClaudeCodeRunOptions, ctx: ExecutorContext): Promise<ExecutorResult> {
  const prior = ctx.resumeFrom ? parseClaudeCodeState(ctx.resumeFrom.state) : ctx.followUp ? parseClaudeCodeState(ctx.followUp.state) : null;
  const counters: SessionCounters = prior
    ? ctx.followUp
      ? // A follow-up gets its own turn limit; usage (and a raised budget) and what the person allowed carry on.
        { ...prior, turns: 0, raisedLimits: { budgetUsd: prior.raisedLimits.budgetUsd }, lastTurnCostUsd: 0 }
      : { ...prior, lastTurnCostUsd: 0 }
    : freshCounters();

  const mcp = claudeCodeMcpServers(ctx.payload.mcpServers, ctx.sandbox, options.env);
  for (const message of mcp.warnings) await ctx.emit({ type: "log", level: "warn", message });
  const spec: SandboxSpec = {
    ...ctx.sandbox,
    ...(workspaceViewProblem(WORKSPACE_VIEW, ctx.sandbox.readOnlyPaths) ? {} : { workspaceView: WORKSPACE_VIEW }),
    readOnlyPaths: [...ctx.sandbox.readOnlyPaths, options.binary.folder, ...mcp.readOnlyPaths],
    modelAccess: { upstreamUrl: options.upstreamUrl, apiKey: options.apiKey },
  };
  const sandbox = await openSandbox(spec);
  const cli = sandboxedCli(sandbox, ctx.secrets, (text) => ctx.logger.debug("claude code stderr", { text: text.slice(0, 2_000) }));
  const abort = new AbortController();
  let stopped: Error | undefined;
  const stop = (error: Error) => {
    stopped ??= error;
    abort.abort(error);
  };
  const onRunStop = () => abort.abort(ctx.signal.reason);
  ctx.signal.addEventListener("abort", onRunStop, { once: true });
  const text = new TextCoalescer(ctx.emit, options.textFlushMs);
  const feed = new ClaudeCodeFeed(ctx.emit, text, options.price, counters);
  const configDir = path.join(sandbox.home.host, CONFIG_FOLDER);
  const cwd = sandbox.workspace;
  try {
    if (prior) await restoreSessionFiles(configDir, prior, cwd);
    const skipTooLarge = async (e: unknown): Promise<undefined> => {
      if (!(e instanceof SessionFilesError)) throw e;
      await ctx.emit({ type: "log", level: "warn", message: `${e.message}; the run cannot be resumed from here` });
      return undefined;
    };
    const sessionState = async (): Promise<ClaudeCodeState | undefined> => {
      const id = feed.sessionId ?? prior?.sessionId;
      if (!id) return undefined;
      try {
        return { version: 1, sessionId: id, cwd, files: await readSessionFiles(configDir, id, cwd), ...counters };
      } catch (e) {
        return skipTooLarge(e);
      }
    };
    /** The session once the CLI is gone (its transcript complete), for a reviewer's follow-up. */
    const finalState = async () => {
      await cli.exited();
      return sessionState();
    };
    const checkpoints = new SessionCheckpoints({
      recorded: async (callId) => {
        const id = feed.sessionId;
        return id !== undefined && (await transcriptHasResult(configDir, id, cwd, callId));
      },
      save: async () => {
        const state = await sessionState();
        if (state && ctx.checkpoint) await ctx.checkpoint(counters.requests, state);
      },
      onSkipped: (reason) => ctx.emit({ type: "log", level: "debug", message: `no checkpoint after this call: ${reason}` }),
    });
    const { hooks, canUseTool } = toolHooks({
      feed,
      counters,
      workspace: cwd,
      approval: { mode: ctx.payload.approvalMode, rules: ctx.payload.approvalRules },
      limits: options.limits,
      requestInput: ctx.requestInput,
      spending: ctx.spending,
      run: ctx.payload,
      checkpoints,
      stop,
      hookTimeoutSec: (ctx.payload.inputTimeoutSec ?? DEFAULT_INPUT_TIMEOUT_SEC) + 600,
    });

    const instructions = await loadRepoInstructions(ctx.workspace, ctx.emit);
    const prompt = ctx.followUp ? followUpPrompt(ctx.followUp.feedback) : prior ? RESUME_PROMPT : ctx.payload.prompt;
    const queryOptions: Options = {
      cwd,
      model: options.model,
      pathToClaudeCodeExecutable: options.binary.path,
      spawnClaudeCodeProcess: cli.spawn,
      env: cliEnv(sandbox, options.maxRetries),
      // A repository's .claude/settings.json, hooks, MCP configuration and CLAUDE.md are its own
      // (untrusted) files: none of them is loaded.
      settingSources: [],
      strictMcpConfig: true,
      permissionMode: "default",
      includePartialMessages: true,
      systemPrompt: {
        type: "preset",
        preset: "claude_code",
        append: systemPromptAppend({ repoName: ctx.payload.repo.name, branch: ctx.payload.branch, baseBranch: ctx.payload.baseBranch, instructions }),
      },
      disallowedTools: DISALLOWED_TOOLS,
      mcpServers: mcp.servers,
      hooks,
      canUseTool,
      abortController: abort,
      ...(prior ? { resume: prior.sessionId } : {}),
    };

    let failure: string | undefined;
    try {
      for await (const message of query({ prompt, options: queryOptions })) await feed.handle(message);
    } catch (e) {
      if (!stopped && !ctx.signal.aborted) failure = `Claude Code failed: ${errorMessage(e)}${stderrNote(cli.stderrTail())}`;
    }
    await text.flush();
    if (ctx.signal.aborted) throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error("the run was stopped");
    if (stopped) return { ok: false, error: stopped.message, state: await finalState() };
    await checkpoints.settled().catch(() => {});
    const result = feed.result;
    if (!failure && !result) failure = `Claude Code ended without a result${stderrNote(cli.stderrTail())}`;
    if (!failure && result && (result.subtype !== "success" || result.is_error)) {
      const said = result.subtype === "success" ? result.result : result.errors.join("; ");
      failure = `Claude Code ended with ${result.subtype}${said ? `: ${said}` : ""}`;
    }
    const state = await finalState();
    return failure ? { ok: false, error: failure, state } : { ok: true, state };
  } finally {
    ctx.signal.removeEventListener("abort", onRunStop);
    abort.abort();
    await cli.exited();
    await sandbox.close();
  }
}

/** The CLI's environment, besides the sandbox's allow-list: the gateway as its API, and quiet. */
function cliEnv(sandbox: OpenSandbox, maxRetries: number): Record<string, string> {
  const model = sandbox.model;
  if (!model) throw new Error("the sandbox has no model gateway");
  return {
    ANTHROPIC_BASE_URL: model.baseUrl,
    ANTHROPIC_API_KEY: model.token,
    CLAUDE_CONFIG_DIR: path.posix.join(sandbox.home.inside, CONFIG_FOLDER),
    // Each shell command runs where the gateway cannot be reached (jobs/sandbox/toolIsolation.ts).
    ...(model.toolShellPrefix ? { CLAUDE_CODE_SHELL_PREFIX: model.toolShellPrefix } : {}),
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    DISABLE_AUTOUPDATER: "1",
    DISABLE_TELEMETRY: "1",
    DISABLE_ERROR_REPORTING: "1",
    CLAUDE_CODE_DISABLE_AUTO_MEMORY: "1",
    CLAUDE_CODE_DISABLE_CLAUDE_MDS: "1",
    CLAUDE_CODE_MAX_RETRIES: String(maxRetries),
    CLAUDE_AGENT_SDK_CLIENT_APP: "agentdesk",
  };
}

function stderrNote(stderr: string): string {
  const tail = stderr.trim().split("\n").slice(-5).join(" / ");
  return tail ? ` (its last words: ${tail})` : "";
}
