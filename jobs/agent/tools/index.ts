import { z } from "zod";
import type { AgentTool, ToolContext, ToolDefinition, ToolResult } from "./types";

export type { AgentTool, ToolContext, ToolDefinition, ToolResult } from "./types";

/** Every tool the agent loop offers the model, in the order the model sees them. */
export const agentTools: readonly AgentTool[] = [];

export function toolDefinitions(): ToolDefinition[] {
  return agentTools.map((tool) => ({
    name: tool.name,
    description: tool.description,
    input_schema: z.toJSONSchema(tool.input) as object,
  }));
}

/**
 * Runs one tool call of the model. Model mistakes (unknown tool, invalid input) and tool
 * failures come back as `ok:false` results the model can act on; only programming errors and
 * aborts throw.
 */
export async function runTool(name: string, rawInput: unknown, ctx: ToolContext): Promise<ToolResult> {
  const tool = agentTools.find((t) => t.name === name);
  if (!tool) {
    return { ok: false, output: `unknown tool "${name}"; available: ${agentTools.map((t) => t.name).join(", ")}` };
  }
  const parsed = tool.input.safeParse(rawInput);
  if (!parsed.success) return { ok: false, output: `invalid input for ${name}: ${z.prettifyError(parsed.error)}` };
  return tool.run(parsed.data, ctx);
}
