import path from "node:path";
import type { ToolCallUpdate } from "@agentclientprotocol/sdk";
import { z } from "zod";
import { classifyWrite, type ApprovalAction } from "../../lib/approval";
import type { GateRequest } from "./gate";

/**
 * What other executors' tool calls do, as the one policy judges them (jobs/approval/gate.ts):
 * Claude Code's tools, an ACP agent's permission requests and terminals, MCP tools. Paths are
 * made relative to the workspace so the write classifier sees `.github/…` as `.github/…` and a
 * path outside the workspace as outside.
 */

type Reparse = NonNullable<GateRequest["reparse"]>;
type Parsed = ReturnType<Reparse>;

const MCP_TOOL = /^mcp__[^_].*__./;

/** An MCP tool (`mcp__<server>__<tool>`) judged by its name, or null for any other name. */
export const mcpToolAction = (name: string): ApprovalAction | null => (MCP_TOOL.test(name) ? { kind: "mcp", tool: name } : null);

/**
 * A path as the policy sees it: relative to the workspace when it is inside (`.` for the
 * workspace itself), else unchanged (absolute, `~/…`, `../…`), which classifyWrite judges as
 * outside. `workspace` is the workspace's absolute path as the agent sees it.
 */
export function workspacePath(p: string, workspace: string): string {
  if (!path.posix.isAbsolute(p)) return p;
  const relative = path.posix.relative(path.posix.normalize(workspace), path.posix.normalize(p));
  if (relative === "") return ".";
  return relative === ".." || relative.startsWith("../") || path.posix.isAbsolute(relative) ? p : relative;
}

const PLAIN_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One argument as the shell reads it literally: single-quoted unless it is plain. */
export const shellQuote = (arg: string) => (PLAIN_WORD.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);

/** A program and its arguments as one command line that means exactly them. */
export const shellLine = (argv: readonly string[]) => argv.map(shellQuote).join(" ");

// Claude Code's tool inputs (node_modules/@anthropic-ai/claude-agent-sdk/sdk-tools.d.ts), only the fields judged.
const bashInput = z.object({ command: z.string() });
const monitorInput = z.object({ command: z.string().optional() });
const fileInput = z.object({ file_path: z.string() });
const notebookInput = z.object({ notebook_path: z.string() });
const optionalPathInput = z.object({ path: z.string().optional() });

/** Claude Code tools with nothing to judge: its plan and to-do bookkeeping, questions, its own background shells. */
const CLAUDE_CODE_UNJUDGED = new Set([
  "TodoWrite",
  "ExitPlanMode",
  "EnterPlanMode",
  "AskUserQuestion",
  "BashOutput",
  "KillShell",
  "TaskOutput",
  "TaskStop",
  "TaskCreate",
  "TaskGet",
  "TaskUpdate",
  "TaskList",
]);

function parsedWith<T>(schema: z.ZodType<T>, input: unknown, action: (value: T) => ApprovalAction | null): Parsed {
  const parsed = schema.safeParse(input);
  return parsed.success ? { ok: true, action: action(parsed.data) } : { ok: false, error: z.prettifyError(parsed.error) };
}

/** What a Claude Code tool call does, or why its input is not valid for the tool. */
export function parseClaudeCodeCall(toolName: string, input: unknown, workspace: string): Parsed {
  const at = (p: string) => workspacePath(p, workspace);
  switch (toolName) {
    case "Bash":
      return parsedWith(bashInput, input, (i) => ({ kind: "shell", command: i.command }));
    case "Monitor":
      // Monitor runs a command (or watches a WebSocket, judged as any other tool).
      return parsedWith(monitorInput, input, (i) => (i.command !== undefined ? { kind: "shell", command: i.command } : { kind: "other", tool: toolName }));
    case "Write":
    case "Edit":
    case "MultiEdit":
      return parsedWith(fileInput, input, (i) => ({ kind: "write", path: at(i.file_path) }));
    case "NotebookEdit":
      return parsedWith(notebookInput, input, (i) => ({ kind: "write", path: at(i.notebook_path) }));
    case "Read":
      return parsedWith(fileInput, input, (i) => ({ kind: "read", path: at(i.file_path) }));
    case "Grep":
    case "Glob":
    case "LS":
      return parsedWith(optionalPathInput, input, (i) => ({ kind: "read", path: at(i.path ?? workspace) }));
  }
  if (CLAUDE_CODE_UNJUDGED.has(toolName)) return { ok: true, action: null };
  return { ok: true, action: mcpToolAction(toolName) ?? { kind: "other", tool: toolName } };
}

/**
 * What the policy judges of a Claude Code tool call. An input that is not valid for its tool
 * is judged by the tool's name (Claude Code refuses it anyway).
 */
export function claudeCodeAction(toolName: string, input: unknown, workspace: string): ApprovalAction | null {
  const parsed = parseClaudeCodeCall(toolName, input, workspace);
  return parsed.ok ? parsed.action : { kind: "other", tool: toolName };
}

/** The gate request of a Claude Code tool call: its action, and a reviewer's edit checked as the same tool. */
export function claudeCodeGateRequest(callId: string, toolName: string, input: unknown, workspace: string): GateRequest {
  return {
    callId,
    tool: toolName,
    input,
    action: claudeCodeAction(toolName, input, workspace),
    reparse: (edited) => parseClaudeCodeCall(toolName, edited, workspace),
  };
}

/** The fields of an ACP tool call (`session/request_permission`'s `toolCall`) that say what it does. */
export type AcpToolCall = Pick<ToolCallUpdate, "kind" | "title" | "name" | "rawInput" | "locations">;

// The raw input's fields we read; a field of another type counts as absent, as does a raw input that is no object.
const optionalString = z.string().optional().catch(undefined);
const acpRawInput = z
  .object({
    command: z.union([z.string(), z.array(z.string())]).optional().catch(undefined),
    file_path: optionalString,
    notebook_path: optionalString,
    path: optionalString,
  })
  .catch({});

const nonEmpty = (s: string | null | undefined) => (s && s.trim() ? s : undefined);

const writeSeverity = { safe: 0, risky: 1, denied: 2 } as const;

/**
 * What the policy judges of an ACP agent's permission request. By the call's `kind`: execute
 * is the command (`rawInput.command`, else the title, which claude-agent-acp sets to the
 * command); edit, delete and move write every path they name (the most severe is judged);
 * read and search read; think and switch_mode have nothing to judge; fetch and anything else
 * are judged by the tool's name (`name` when the agent gives one, as claude-agent-acp does:
 * "WebFetch"), MCP tools (`mcp__…`) as MCP tools. A command or an edit whose target cannot
 * be read is judged by its name too, so it asks unless the mode is `auto`.
 */
export function acpAction(toolCall: AcpToolCall, workspace: string): ApprovalAction | null {
  const name = nonEmpty(toolCall.name);
  const title = nonEmpty(toolCall.title);
  const kind = toolCall.kind ?? "other";
  const byName = (fallback: string): ApprovalAction => ({ kind: "other", tool: name ?? fallback });
  const mcp = (name && mcpToolAction(name)) || (kind === "other" && title && mcpToolAction(title.trim()));
  if (mcp) return mcp;

  const raw = acpRawInput.parse(toolCall.rawInput);
  const paths = [...(toolCall.locations ?? []).map((l) => l.path), raw.file_path, raw.notebook_path, raw.path]
    .filter((p): p is string => typeof p === "string" && p.trim() !== "")
    .map((p) => workspacePath(p, workspace));
  switch (kind) {
    case "execute": {
      const command = Array.isArray(raw.command) ? shellLine(raw.command) : nonEmpty(raw.command) ?? title;
      return command ? { kind: "shell", command } : { kind: "other", tool: name ?? "execute", unseenCommand: true };
    }
    case "edit":
    case "delete":
    case "move": {
      if (!paths.length) return byName(kind);
      const worst = paths.reduce((a, b) => (writeSeverity[classifyWrite(b).level] > writeSeverity[classifyWrite(a).level] ? b : a));
      return { kind: "write", path: worst };
    }
    case "read":
    case "search":
      return { kind: "read", path: paths[0] ?? "." };
    case "think":
    case "switch_mode":
      return null;
    case "fetch":
    case "other":
      return byName(kind === "fetch" ? "fetch" : (title ?? "other"));
  }
}

/**
 * The gate request of an ACP permission request. An ACP agent takes only "allow" or "reject"
 * back, so a reviewer's edited input cannot reach it: the edit is refused rather than ignored.
 */
export function acpGateRequest(toolCall: AcpToolCall & Pick<ToolCallUpdate, "toolCallId">, workspace: string): GateRequest {
  return {
    callId: toolCall.toolCallId,
    tool: nonEmpty(toolCall.name) ?? nonEmpty(toolCall.title) ?? toolCall.kind ?? "tool",
    input: toolCall.rawInput ?? {},
    action: acpAction(toolCall, workspace),
    reparse: () => ({ ok: false, error: "an ACP agent cannot take an edited input; approve or deny it as it is" }),
  };
}

/**
 * The command line an ACP `terminal/create` request runs, for the policy (deny rules) to
 * judge what actually runs: with arguments, the program and its arguments quoted exactly;
 * without, the command as a command line (agents send `npm test` with no arguments, meaning a
 * shell line), which is what a shell would run and never less than an exec of it.
 */
export function acpTerminalAction(command: string, args: readonly string[] = []): ApprovalAction {
  return { kind: "shell", command: args.length ? shellLine([command, ...args]) : command };
}
