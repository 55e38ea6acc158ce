import path from "node:path";
import { z } from "zod";
import { approvalPolicy, type ApprovalAction, type ApprovalMode, type ApprovalRules, type Sandbox } from "../../lib/approval";
import { getConfig } from "../../lib/config";
import type { RequestInput } from "../executors/types";
import type { RememberedActions } from "./agentState";
import type { ToolUseBlock } from "./conversation";
import { agentTools, type AgentTool } from "./tools";

/**
 * The approval step before every tool call: the run's policy (mode, rules, classifier) says
 * allow, ask or deny; "ask" waits for the run's owner. What runs is what was approved: the
 * model's input, or the reviewer's edit of it.
 *
 * "Remember for this run" remembers exactly what was approved and ran: the command line
 * (trimmed of surrounding whitespace) or the normalized path of a write. The same command or
 * a write to the same path then runs without asking again in this run; anything else, even
 * the same program with other arguments, still asks. Remembered actions live in the agent
 * state, so they survive a checkpoint and resume. A `deny` of the policy is never lifted.
 */
export type ApprovalSettings = {
  mode: ApprovalMode;
  rules?: ApprovalRules;
  /** This run's remembered approvals; the gate adds to it. */
  remembered: RememberedActions;
  /** Whether tools run in the sandbox; by default the job process's configuration (SANDBOX). */
  sandbox?: Sandbox;
};

export type GateOutcome =
  /** Run the tool with `input`; `notice`, if any, is told to the model before the output. */
  | { run: true; input: unknown; notice?: string }
  /** Nothing runs; `output` says why, to the feed and to the model. */
  | { run: false; output: string };

const commandField = z.object({ command: z.string() });
const pathField = z.object({ path: z.string().optional() });

/** The request id of a tool call's approval: the same call (a resumed run) asks the same request. */
export const approvalRequestId = (callId: string) => `approve-${callId}`;

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

function rememberKey(action: ApprovalAction): { list: keyof RememberedActions; key: string } | null {
  if (action.kind === "shell") return { list: "shell", key: action.command.trim() };
  if (action.kind === "write") return { list: "write", key: path.posix.normalize(action.path) };
  return null;
}

const isRemembered = (remembered: RememberedActions, action: ApprovalAction) => {
  const r = rememberKey(action);
  return r !== null && remembered[r.list].includes(r.key);
};

const blockedByPolicy = (reasons: string[]) =>
  `Blocked by the run's approval policy; nothing ran. ${reasons.join("; ") || "This action is not allowed."}. ` +
  "Do not retry it; find another way, or say in your summary why it is needed.";

/** How the model is shown the input a reviewer put in place of its own. */
const inputText = (input: unknown) => {
  const command = commandField.safeParse(input);
  return command.success ? command.data.command : JSON.stringify(input);
};

export async function gateToolCall(call: ToolUseBlock, settings: ApprovalSettings, ask: RequestInput): Promise<GateOutcome> {
  const tool = agentTools.find((t) => t.name === call.name);
  const parsed = tool?.input.safeParse(call.input);
  // An unknown tool or an invalid input runs nothing: the tool step tells the model what is wrong.
  if (!tool || !parsed?.success) return { run: true, input: call.input };
  const action = actionOf(tool, parsed.data);
  if (!action) return { run: true, input: call.input };

  const sandbox = settings.sandbox ?? getConfig().sandbox;
  const policy = approvalPolicy({ mode: settings.mode, rules: settings.rules, action, sandbox });
  if (policy.decision === "deny") return { run: false, output: blockedByPolicy(policy.reasons) };
  if (policy.decision === "allow" || isRemembered(settings.remembered, action)) return { run: true, input: call.input };

  const answer = await ask({
    requestId: approvalRequestId(call.id),
    kind: "approval",
    tool: call.name,
    input: call.input,
    reasons: policy.reasons,
  });
  if ("timedOut" in answer) return { run: false, output: `This action was denied: ${answer.reason}. Nothing ran.` };
  if ("answer" in answer) throw new Error(`approval request ${approvalRequestId(call.id)} got a question's answer`);
  if (answer.decision === "deny") {
    return { run: false, output: `The user denied this action${answer.note ? `: ${answer.note}` : "."} Nothing ran.` };
  }

  let input: unknown = call.input;
  const notices: string[] = [];
  if (answer.editedInput !== undefined) {
    const edited = tool.input.safeParse(answer.editedInput);
    if (!edited.success) {
      return { run: false, output: `The reviewer approved an edited input that is not valid for ${tool.name}: ${z.prettifyError(edited.error)}. Nothing ran.` };
    }
    const editedAction = actionOf(tool, edited.data);
    // The person approved their edit, so it does not ask again; but what the policy denies never runs.
    const recheck = editedAction && approvalPolicy({ mode: settings.mode, rules: settings.rules, action: editedAction, sandbox });
    if (recheck?.decision === "deny") return { run: false, output: blockedByPolicy(recheck.reasons) };
    input = answer.editedInput;
    notices.push(`The reviewer edited this call before approving it; what ran instead was: ${inputText(input)}`);
  }
  if (answer.note) notices.push(`Note from the reviewer: ${answer.note}`);
  if (answer.remember) remember(settings.remembered, actionOf(tool, tool.input.parse(input)));
  return { run: true, input, ...(notices.length ? { notice: notices.join("\n") } : {}) };
}

function remember(remembered: RememberedActions, action: ApprovalAction | null): void {
  const r = action && rememberKey(action);
  if (r && !remembered[r.list].includes(r.key)) remembered[r.list].push(r.key);
}
