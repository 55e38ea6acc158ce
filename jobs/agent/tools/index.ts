import { z } from "zod";
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

export function toolDefinitions(): ToolDefinition[] {
  return agentTools.map((tool) => {
    // The API takes the schema itself; the dialect marker is noise in every request.
    const { $schema: _dialect, ...inputSchema } = z.toJSONSchema(tool.input);
    return { name: tool.name, description: tool.description, input_schema: inputSchema };
  });
}

/**
 * Runs one tool call of the model. Model mistakes (unknown tool, invalid input) and tool
 * failures (missing file, refused path, no match) come back as `ok:false` results the model
 * can act on; only programming errors and aborts throw. The output is masked for secrets.
 */
export async function runTool(name: string, rawInput: unknown, ctx: ToolContext): Promise<ToolResult> {
  ctx.signal.throwIfAborted();
  const result = await runUnmasked(name, rawInput, ctx);
  // Tools mask before they cut their output (a cut must not leave half a secret); this catches the rest.
  return { ...result, output: maskSecrets(result.output, ctx.secrets) };
}

async function runUnmasked(name: string, rawInput: unknown, ctx: ToolContext): Promise<ToolResult> {
  const tool = agentTools.find((t) => t.name === name);
  if (!tool) {
    return { ok: false, output: `unknown tool "${name}"; available: ${agentTools.map((t) => t.name).join(", ")}` };
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
