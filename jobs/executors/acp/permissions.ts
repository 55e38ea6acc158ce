import path from "node:path";
import type { PermissionOption, RequestPermissionRequest, RequestPermissionResponse } from "@agentclientprotocol/sdk/unstable";
import type { ApprovalAction } from "../../../lib/approval";
import { gateAction, type GateSettings } from "../../approval/gate";
import { acpAction, acpGateRequest } from "../../approval/toolActions";
import type { HumanAnswer } from "../../humanInput";
import type { RequestInput } from "../types";
import { programmaticName, toolNameOf, type ToolCallBook } from "./toolCalls";

/**
 * Commands and writes the run's policy let through a permission request of this connection.
 * An agent that asked for "run `npm test`" and then creates a terminal for exactly that (or
 * `bash -c` of it) is not asked about it twice; anything else its terminals or file writes
 * do goes through the gate on its own.
 */
export class Grants {
  private readonly shell = new Set<string>();
  private readonly write = new Set<string>();

  add(action: ApprovalAction | null): void {
    if (action?.kind === "shell") this.shell.add(action.command.trim());
    if (action?.kind === "write") this.write.add(path.posix.normalize(action.path));
  }

  covers(action: ApprovalAction): boolean {
    if (action.kind === "write") return this.write.has(path.posix.normalize(action.path));
    return action.kind === "shell" && this.shell.has(action.command.trim());
  }

  /** Whether a terminal's program and arguments are a granted command, as is or wrapped in `sh -c`. */
  coversTerminal(command: string, args: readonly string[], action: ApprovalAction): boolean {
    if (this.covers(action)) return true;
    const shell = ["sh", "bash", "zsh", "dash"].includes(path.posix.basename(command));
    return shell && args.length === 2 && (args[0] === "-c" || args[0] === "-lc") && this.covers({ kind: "shell", command: args[1]! });
  }
}

/**
 * What the agent should hear from the reviewer but cannot through a permission answer (ACP
 * has no reason field: a rejection is only "rejected"): sent as the next prompt when the
 * current turn ends.
 */
export class ReviewerNotes {
  private notes: string[] = [];

  add(note: string): void {
    this.notes.push(note);
  }

  /** The pending notes as one prompt, or null; takes them. */
  take(): string | null {
    if (this.notes.length === 0) return null;
    const text =
      "Messages from the person reviewing your actions, about tool calls of your last turn:\n\n" +
      this.notes.map((n) => `- ${n}`).join("\n") +
      "\n\nTake them into account and carry on with the task.";
    this.notes = [];
    return text;
  }
}

/** The option of the kind wanted (the first kind offered, in order of preference), or null. */
export function chooseOption(options: readonly PermissionOption[], kinds: readonly PermissionOption["kind"][]): PermissionOption | null {
  for (const kind of kinds) {
    const found = options.find((o) => o.kind === kind);
    if (found) return found;
  }
  return null;
}

export type PermissionContext = {
  book: ToolCallBook;
  workspace: string;
  settings: GateSettings;
  ask: RequestInput;
  grants: Grants;
  notes: ReviewerNotes;
  /** The feed's call id of an agent's tool call id. */
  feedCallId(toolCallId: string): string;
  /** Everything the agent said before this request is in the feed (so the card comes after it). */
  beforeAsking(): Promise<void>;
  /** The call was let through: its duration starts now. */
  onAllowed(toolCallId: string): void;
  /** The agent asked about this call: it is not one the agent ran unasked. */
  onAsked(toolCallId: string): void;
};

const inputText = (input: unknown) =>
  typeof input === "object" && input !== null && "command" in input && typeof input.command === "string" ? input.command : JSON.stringify(input);

/**
 * An agent's `session/request_permission` through the run's one policy (jobs/approval/gate.ts):
 * allow → the agent's "allow once" option; deny → "reject once", and what the person or the
 * policy said goes into the notes for the agent. "Remember for this run" goes into the run's
 * remembered list (the gate keeps it) rather than the agent's "allow always": agents scope
 * "always" as they see fit (claude-agent-acp writes a prefix rule into the workspace's
 * .claude/settings.local.json), and the run's policy must keep judging everything else. An
 * edited input cannot reach an ACP agent: it is refused, with the edit as a note.
 */
export async function answerPermission(params: RequestPermissionRequest, ctx: PermissionContext): Promise<RequestPermissionResponse> {
  const merged = ctx.book.merge(params.toolCall);
  // Judged by its programmatic name where the agent gives one (an MCP tool's `mcp__…` name).
  const call = { ...merged, name: programmaticName(merged) };
  ctx.onAsked(call.toolCallId);
  await ctx.beforeAsking();
  const tool = toolNameOf(call);
  const request = {
    ...acpGateRequest(call, ctx.workspace),
    callId: ctx.feedCallId(call.toolCallId),
    tool,
    // A reviewer's edit is judged like the call itself, so a deny rule still wins over it.
    reparse: (edited: unknown) => ({ ok: true as const, action: acpAction({ ...call, rawInput: edited }, ctx.workspace) }),
  };
  let answer: HumanAnswer | undefined;
  const outcome = await gateAction(request, ctx.settings, async (r) => (answer = await ctx.ask(r)));

  const reject = (note: string | null): RequestPermissionResponse => {
    if (note) ctx.notes.add(`Your \`${tool}\` call (${call.title || inputText(call.rawInput)}) was not run. ${note}`);
    const option = chooseOption(params.options, ["reject_once", "reject_always"]);
    return { outcome: option ? { outcome: "selected", optionId: option.optionId } : { outcome: "cancelled" } };
  };

  const person = answer && "decision" in answer && !("timedOut" in answer) ? answer : undefined;
  if (outcome.run && person?.editedInput !== undefined) {
    const note = person.note ? ` Their note: ${person.note}` : "";
    return reject(`The reviewer wants this instead: ${inputText(person.editedInput)}.${note}`);
  }
  if (!outcome.run) {
    // A plain "deny" of a person says nothing the rejection does not; a note, the policy's
    // reasons or a timeout do.
    const plainDeny = person?.decision === "deny" && !person.note;
    return reject(plainDeny ? null : outcome.output);
  }
  const option = chooseOption(params.options, ["allow_once", "allow_always"]);
  if (!option) return reject("The agent offered no way to allow it.");
  ctx.grants.add(request.action);
  if (outcome.notice) ctx.notes.add(`About your \`${tool}\` call (${call.title || inputText(call.rawInput)}), which ran: ${outcome.notice}`);
  ctx.onAllowed(call.toolCallId);
  return { outcome: { outcome: "selected", optionId: option.optionId } };
}
