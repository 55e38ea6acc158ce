import { z } from "zod";
import type { ApprovalAction } from "../../lib/approval";
import { gateAction, type GateOutcome, type GateSettings } from "../approval/gate";
import { mcpToolAction } from "../approval/toolActions";
import type { RequestInput } from "../executors/types";
import type { ToolUseBlock } from "./conversation";
import { agentTools, type AgentTool } from "./tools";

/**
 * The approval step before every tool call of our own agent loop: our tools mapped onto the
 * one gate all executors share (jobs/approval/gate.ts). MCP tools (`mcp__<server>__<tool>`)
 * are judged by their name.
 */
export type ApprovalSettings = GateSettings;
export type { GateOutcome };
export { approvalRequestId } from "../approval/gate";

const commandField = z.object({ command: z.string() });
const pathField = z.object({ path: z.string().optional() });

/** What the policy judges of a call: its command, the path it writes or reads; null for tools that only ask. */
function actionOf(tool: AgentTool, input: unknown): ApprovalAction | null {
  switch (tool.kind) {
    case "shell":
      return { kind: "shell", command: commandField.parse(input).command };
    case "write":
      return { kind: "write", path: pathField.parse(input).path ?? "." };
    case "read":
      return { kind: "read", path: pathField.parse(input).path ?? "." };
    case "ask":
      return null;
  }
}

export async function gateToolCall(call: ToolUseBlock, settings: ApprovalSettings, ask: RequestInput): Promise<GateOutcome> {
  const base = { callId: call.id, tool: call.name, input: call.input };
  const mcp = mcpToolAction(call.name);
  if (mcp) return gateAction({ ...base, action: mcp }, settings, ask);

  const tool = agentTools.find((t) => t.name === call.name);
  const parsed = tool?.input.safeParse(call.input);
  // An unknown tool or an invalid input runs nothing: the tool step tells the model what is wrong.
  if (!tool || !parsed?.success) return { run: true, input: call.input };
  return gateAction(
    {
      ...base,
      action: actionOf(tool, parsed.data),
      reparse: (edited) => {
        const valid = tool.input.safeParse(edited);
        return valid.success ? { ok: true, action: actionOf(tool, valid.data) } : { ok: false, error: z.prettifyError(valid.error) };
      },
    },
    settings,
    ask,
  );
}
