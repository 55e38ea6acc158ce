import { z } from "zod";
import type { McpToolbox } from "../../mcp/toolbox";
import { maskSecrets } from "../../secrets";
import { askHumanTool } from "./askHuman";
import { editFileTool } from "./editFile";
import { ToolFailure } from "./failure";
import { listDirectoryTool } from "./listDirectory";
import { readFileTool } from "./readFile";
import { searchTool } from "./search";
import { shellTool } from "./shell";
import type { AgentTool, ToolContext, ToolDefinition, ToolResult } from "./types";
import { writeFileTool } from "./writeFile";

export type { AgentTool, HumanReply, ToolContext, ToolDefinition, ToolResult } from "./types";

/** Every tool the agent loop offers the model, in the order the model sees them. */
export const agentTools: readonly AgentTool[] = [
  readFileTool,
  writeFileTool,
  editFileTool,
  listDirectoryTool,
  searchTool,
  shellTool,
  askHumanTool,
];

/** The run's tools as the model sees them: ours, then its MCP servers' (`mcp__<server>__<tool>`). */
export function toolDefinitions(mcp?: McpToolbox): ToolDefinition[] {
  const own = agentTools.map((tool) => {
    // The API takes the schema itself; the dialect marker is noise in every request.
    const { $schema: _dialect, ...inputSchema } = z.toJSONSchema(tool.input);
    return { name: tool.name, description: tool.description, input_schema: inputSchema };
  });
  return [...own, ...(mcp?.definitions() ?? [])];
}

/** What a call may use: its run's tool context, and the run's MCP servers when it has any. */
export type RunToolContext = ToolContext & { mcp?: McpToolbox };

/**
 * Runs one tool call of the model. Model mistakes (unknown tool, invalid input) and tool
 * failures (missing file, refused path, no match) come back as `ok:false` results the model
 * can act on; only programming errors and aborts throw. The output is masked for secrets.
 */
export async function runTool(name: string, rawInput: unknown, ctx: RunToolContext): Promise<ToolResult> {
  ctx.signal.throwIfAborted();
  const result = await runUnmasked(name, rawInput, ctx);
  // Tools mask before they cut their output (a cut must not leave half a secret); this catches the rest.
  return { ...result, output: maskSecrets(result.output, ctx.secrets) };
}

async function runUnmasked(name: string, rawInput: unknown, ctx: RunToolContext): Promise<ToolResult> {
  if (ctx.mcp?.has(name)) return ctx.mcp.call(name, rawInput, ctx.signal);
  const tool = agentTools.find((t) => t.name === name);
  if (!tool) {
    const available = [...agentTools.map((t) => t.name), ...(ctx.mcp?.tools.map((t) => t.definition.name) ?? [])];
    return { ok: false, output: `unknown tool "${name}"; available: ${available.join(", ")}` };
  }
  const parsed = tool.input.safeParse(rawInput);
  if (!parsed.success) return { ok: false, output: `invalid input for ${name}: ${z.prettifyError(parsed.error)}` };
  try {
    return await tool.run(parsed.data, ctx);
  } catch (e) {
    if (e instanceof ToolFailure) return { ok: false, output: e.message };
    throw e;
  }
}
