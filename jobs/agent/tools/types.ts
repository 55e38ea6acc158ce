import type { z } from "zod";

/** What a tool call may use of its run. Built once per run by the agent loop. */
export type ToolContext = {
  /** Absolute path of the run's git worktree; every tool path is relative to it. */
  workspace: string;
  /** Cancel / timeout / shutdown of the run. */
  signal: AbortSignal;
  /** Known secret values: masked in every output. */
  secrets: readonly string[];
  /** Live output of a running shell command (the loop turns it into `log` events). Masked. */
  onOutput?: (stream: "stdout" | "stderr", text: string) => void;
};

/** What the model sees of a call: `ok:false` means the call failed and `output` says why. */
export type ToolResult = { ok: boolean; output: string; truncated?: boolean };

export type AgentTool<I = unknown> = {
  name: string;
  /** Written for the model: what it does, limits, tips. */
  description: string;
  input: z.ZodType<I>;
  /** Classified for approvals later: "read" tools never need approval; "write" and "shell" may. */
  kind: "read" | "write" | "shell";
  run(input: I, ctx: ToolContext): Promise<ToolResult>;
};

/** A tool definition as the Messages API takes it (kept free of the SDK's types). */
export type ToolDefinition = { name: string; description: string; input_schema: object };
