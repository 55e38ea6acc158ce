import type { z } from "zod";
import type { FileChange } from "../../../lib/events";
import type { WrittenFile } from "../../git/knownFiles";
import type { SandboxSpec } from "../../sandbox/spec";

/** What a tool call may use of its run. Built once per run by the agent loop. */
export type ToolContext = {
  /** Absolute path of the run's git worktree; every tool path is relative to it. */
  workspace: string;
  /** The run's sandbox: the shell runs its commands in there. */
  sandbox: SandboxSpec;
  /** Cancel / timeout / shutdown of the run. */
  signal: AbortSignal;
  /** Known secret values: masked in every output. */
  secrets: readonly string[];
  /** Live output of a running shell command (the loop turns it into `log` events). Masked. */
  onOutput?: (stream: "stdout" | "stderr", text: string) => void;
  /**
   * Asks the run's owner a question and waits for the answer (the loop binds it to the call,
   * so a resumed run asks the same request). Absent where no person can be asked.
   */
  askHuman?: (question: string) => Promise<HumanReply>;
};

/** A person's answer to the agent's question, or why there is none (the wait timed out). */
export type HumanReply = { answer: string; by: string } | { unanswered: string };

/**
 * What the model sees of a call: `ok:false` means the call failed and `output` says why.
 * `written`: the files a file tool wrote, with their new content (the checkpoint commits them
 * from memory instead of scanning the workspace). `fileChange`: for the feed only (the model
 * knows what it wrote), the diff of what a write changed.
 */
export type ToolResult = { ok: boolean; output: string; truncated?: boolean; written?: WrittenFile[]; fileChange?: FileChange };

export type AgentTool<I = unknown> = {
  name: string;
  /** Written for the model: what it does, limits, tips. */
  description: string;
  input: z.ZodType<I>;
  /**
   * What the approval policy judges (approvalGate.ts): "read" tools never need approval,
   * "write" and "shell" may; "ask" tools only talk to the person, so they never do.
   */
  kind: "read" | "write" | "shell" | "ask";
  run(input: I, ctx: ToolContext): Promise<ToolResult>;
};

/** A tool definition as the Messages API takes it (kept free of the SDK's types). */
export type ToolDefinition = { name: string; description: string; input_schema: object };
