import { approvalPolicy, type ApprovalAction, type ApprovalMode, type ApprovalRules, type Sandbox } from "../../lib/approval";
import { getConfig } from "../../lib/config";
import type { RequestInput } from "../executors/types";
import { isRemembered, remember, type RememberedActions } from "./remembered";

/**
 * The one approval step every executor puts before a tool call (our agent loop, Claude Code,
 * ACP agents, MCP tools): the run's policy (mode, user and repository rules, the command and
 * write classifiers) says allow, ask or deny; "ask" becomes the run's approval card and waits
 * for its owner. What runs is what was approved: the agent's input, or the reviewer's edit
 * of it, which is judged again (a person approved the edit, so it does not ask again, but
 * what the policy denies never runs).
 */
export type GateRequest = {
  /** Stable per tool call: the approval request id is `approve-${callId}`, so a resumed run asks the same request. */
  callId: string;
  /** The tool's name as the approval card shows it ("Bash", "shell", "mcp__github__create_issue"). */
  tool: string;
  /** Shown on the card; a reviewer may edit it. */
  input: unknown;
  /** What the policy judges; null when there is nothing to judge (the call runs). */
  action: ApprovalAction | null;
  /**
   * Validates a reviewer's edited input and says what it would do. Without it an edit is
   * accepted only for tools judged by their name (mcp, other), whose action an edit cannot change.
   */
  reparse?: (edited: unknown) => { ok: true; action: ApprovalAction | null } | { ok: false; error: string };
};

export type GateSettings = {
  mode: ApprovalMode;
  rules?: ApprovalRules;
  /** This run's remembered approvals; the gate adds to it in place. */
  remembered: RememberedActions;
  /** Whether tools run in the sandbox; by default the job process's configuration (SANDBOX). */
  sandbox?: Sandbox;
};

export type GateOutcome =
  /** Run the tool with `input`; `notice`, if any, is for the agent along with the output. */
  | { run: true; input: unknown; notice?: string }
  /** Nothing runs; `output` says why, to the feed and to the agent. */
  | { run: false; output: string };

/** The request id of a tool call's approval: the same call (a resumed run) asks the same request. */
export const approvalRequestId = (callId: string) => `approve-${callId}`;

const blockedByPolicy = (reasons: string[]) =>
  `Blocked by the run's approval policy; nothing ran. ${reasons.join("; ") || "This action is not allowed."}. ` +
  "Do not retry it; find another way, or say in your summary why it is needed.";

/** How the agent is shown the input a reviewer put in place of its own. */
function inputText(input: unknown): string {
  if (typeof input === "object" && input !== null && "command" in input && typeof input.command === "string") return input.command;
  return JSON.stringify(input);
}

/** What an edited input would do; an error when it cannot be judged. */
function judgeEdit(req: GateRequest, edited: unknown): { ok: true; action: ApprovalAction | null } | { ok: false; error: string } {
  if (req.reparse) return req.reparse(edited);
  if (req.action?.kind === "mcp" || req.action?.kind === "other") return { ok: true, action: req.action };
  return { ok: false, error: "this tool's input cannot be edited" };
}

export async function gateAction(req: GateRequest, settings: GateSettings, ask: RequestInput): Promise<GateOutcome> {
  const { action } = req;
  if (!action) return { run: true, input: req.input };

  const sandbox = settings.sandbox ?? getConfig().sandbox;
  const judge = (a: ApprovalAction) => approvalPolicy({ mode: settings.mode, rules: settings.rules, action: a, sandbox });
  const policy = judge(action);
  if (policy.decision === "deny") return { run: false, output: blockedByPolicy(policy.reasons) };
  if (policy.decision === "allow" || isRemembered(settings.remembered, action)) return { run: true, input: req.input };

  const requestId = approvalRequestId(req.callId);
  const answer = await ask({ requestId, kind: "approval", tool: req.tool, input: req.input, reasons: policy.reasons });
  if ("timedOut" in answer) return { run: false, output: `This action was denied: ${answer.reason}. Nothing ran.` };
  if ("answer" in answer) throw new Error(`approval request ${requestId} got a question's answer`);
  if (answer.decision === "deny") {
    return { run: false, output: `The user denied this action${answer.note ? `: ${answer.note}` : "."} Nothing ran.` };
  }

  let input = req.input;
  let approved: ApprovalAction | null = action;
  const notices: string[] = [];
  if (answer.editedInput !== undefined) {
    const edit = judgeEdit(req, answer.editedInput);
    if (!edit.ok) return { run: false, output: `The reviewer approved an edited input that is not valid for ${req.tool}: ${edit.error}. Nothing ran.` };
    const recheck = edit.action && judge(edit.action);
    if (recheck?.decision === "deny") return { run: false, output: blockedByPolicy(recheck.reasons) };
    input = answer.editedInput;
    approved = edit.action;
    notices.push(`The reviewer edited this call before approving it; what ran instead was: ${inputText(input)}`);
  }
  if (answer.note) notices.push(`Note from the reviewer: ${answer.note}`);
  if (answer.remember && approved) remember(settings.remembered, approved);
  return { run: true, input, ...(notices.length ? { notice: notices.join("\n") } : {}) };
}
