import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import { mcpToolName } from "../../lib/contracts/executorSpecs";
import type { ToolDefinition, ToolResult } from "../agent/tools/types";

/**
 * What an MCP server says about its tools is untrusted input that reaches the model's tool list,
 * the approval card and the rules: names are checked, descriptions and schemas capped, and a
 * server's own annotations (e.g. `readOnlyHint`) are ignored: they cannot lift an approval.
 */

/** The Messages API's limit for a tool name; `mcp__<server>__<tool>` must fit in it. */
export const MAX_TOOL_NAME_LENGTH = 64;
/** What the Messages API accepts in a tool name (MCP also allows dots; such tools are skipped). */
const TOOL_NAME_CHARS = /^[A-Za-z0-9_-]+$/;
export const MAX_DESCRIPTION_CHARS = 2_000;
export const MAX_SCHEMA_BYTES = 32 * 1024;
/** Tools offered per server; more would crowd the model's tool list (and every request). */
export const MAX_TOOLS_PER_SERVER = 64;

/** One MCP tool as the run offers it to the model. */
export type McpTool = {
  server: string;
  /** The server's own name for it. */
  tool: string;
  definition: ToolDefinition;
};

/** Whether a tool call's name is an MCP tool's (`mcp__<server>__<tool>`), whether or not the run has it. */
export const isMcpToolName = (name: string) => name.startsWith("mcp__");

/** How a name the server gave is shown in a warning: quoted, control characters escaped, shortened. */
export function shownName(name: string): string {
  const escaped = JSON.stringify(name);
  return escaped.length > 60 ? `${escaped.slice(0, 57)}…"` : escaped;
}

/** The run's tool for a server's tool, or why it is not offered. */
export function mcpToolOf(server: string, tool: Tool): McpTool | { skipped: string } {
  const fullName = mcpToolName(server, tool.name);
  if (!TOOL_NAME_CHARS.test(tool.name)) {
    return { skipped: `tool ${shownName(tool.name)}: the name may only hold letters, digits, "_" and "-"` };
  }
  if (fullName.length > MAX_TOOL_NAME_LENGTH) {
    return { skipped: `tool ${shownName(tool.name)}: ${fullName.length} characters as ${shownName(fullName.slice(0, 20) + "…")}, at most ${MAX_TOOL_NAME_LENGTH}` };
  }
  const { $schema: _dialect, ...schema } = tool.inputSchema;
  if (Buffer.byteLength(JSON.stringify(schema)) > MAX_SCHEMA_BYTES) {
    return { skipped: `tool ${shownName(tool.name)}: its input schema is larger than ${MAX_SCHEMA_BYTES / 1024} KiB` };
  }
  const said = (tool.description ?? tool.title ?? "").trim();
  const description = said.length > MAX_DESCRIPTION_CHARS ? `${said.slice(0, MAX_DESCRIPTION_CHARS)}… (cut)` : said;
  return {
    server,
    tool: tool.name,
    definition: {
      name: fullName,
      // Whose tool it is, so the model can tell it from the workspace tools.
      description: `[MCP server "${server}"] ${description || "(no description)"}`,
      input_schema: schema,
    },
  };
}

/** A call's result as the model and the feed see it: the text of its content, the rest described. */
export function mcpResultText(result: CallToolResult): ToolResult {
  const parts = result.content.map((block) => {
    switch (block.type) {
      case "text":
        return block.text;
      case "image":
      case "audio":
        return `[${block.type} (${block.mimeType}), ${approxBytes(block.data)} bytes, not shown]`;
      case "resource":
        return "text" in block.resource
          ? `[resource ${block.resource.uri}]\n${block.resource.text}`
          : `[resource ${block.resource.uri} (${block.resource.mimeType ?? "binary"}), ${approxBytes(block.resource.blob)} bytes, not shown]`;
      case "resource_link":
        return `[resource link ${block.uri}${block.name ? ` (${block.name})` : ""}]`;
      default:
        return "[content of an unknown type, not shown]";
    }
  });
  if (parts.length === 0 && result.structuredContent !== undefined) parts.push(JSON.stringify(result.structuredContent));
  const output = parts.join("\n");
  return { ok: result.isError !== true, output: output === "" ? "(no output)" : output };
}

// Base64: four characters carry three bytes.
const approxBytes = (base64: string) => Math.floor((base64.length * 3) / 4);
