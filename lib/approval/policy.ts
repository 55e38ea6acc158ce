import { classifyCommand } from "./classifyCommand";
import { classifyWrite } from "./classifyWrite";
import { firstMatch } from "./ruleMatch";
import { noRules, type ApprovalRules } from "./rules";
import type { CommandPart, Finding, Level } from "./types";

/** The run's approval mode: `auto` blocks only denied actions, `risky` also asks before risky ones, `all` asks before every command, write and tool (MCP tools ask in every mode); rules come first. */
export type ApprovalMode = "auto" | "risky" | "all";

/**
 * What a tool call does, as the policy judges it. `mcp` is a tool of an MCP server, named
 * `mcp__<server>__<tool>`; `other` is a tool of an external agent that is neither a command,
 * a write nor a read (WebFetch, WebSearch, a sub-agent). Both are judged by their tool name:
 * rules match it like a command (`mcp__github__*`).
 */
export type ApprovalAction =
  | { kind: "shell"; command: string }
  | { kind: "write"; path: string }
  | { kind: "read"; path: string }
  | { kind: "mcp"; tool: string }
  | {
      kind: "other";
      tool: string;
      /** It runs a command the agent did not show (an ACP `execute` without one): deny rules cannot be checked. */
      unseenCommand?: boolean;
    };

export type Decision = "allow" | "ask" | "deny";
export type ApprovalDecision = { decision: Decision; reasons: string[] };

type Outcome = { decision: Decision; reason: string | null };

const severity: Record<Decision, number> = { allow: 0, ask: 1, deny: 2 };

/** What the mode makes of a classifier level when no rule speaks. */
function byLevel(mode: ApprovalMode, level: Level): Decision {
  if (level === "denied") return "deny";
  if (mode === "all") return "ask";
  return level === "risky" && mode === "risky" ? "ask" : "allow";
}

const modeAllReason = (subject: string) => `${subject}: approval mode \`all\` asks before every command and file write`;

/**
 * One part of a command line: deny rules win over ask rules over allow rules; deny and ask
 * rules match any form (`sudo rm x` and `rm x`), allow rules only the command itself, and no
 * allow rule lifts a classifier `denied` (a team's `allow *` must not let `mkfs` through).
 */
function decidePart(mode: ApprovalMode, rules: ApprovalRules, part: CommandPart): Outcome[] {
  const subject = `\`${part.command}\``;
  const deny = firstMatch(rules.deny, part.forms);
  if (deny) return [{ decision: "deny", reason: `${subject} is denied by the rule \`${deny}\`` }];
  const ask = firstMatch(rules.ask, part.forms);
  if (ask) return [{ decision: "ask", reason: `${subject} matches the ask rule \`${ask}\`` }, ...part.reasons.map((reason) => ({ decision: "ask" as const, reason }))];
  if (part.level !== "denied") {
    const allow = firstMatch(rules.allow, [part.command]);
    if (allow) return [{ decision: "allow", reason: `${subject} is allowed by the rule \`${allow}\`` }];
  }
  const decision = byLevel(mode, part.level);
  if (decision === "ask" && part.level === "safe") return [{ decision, reason: modeAllReason(subject) }];
  return part.reasons.length ? part.reasons.map((reason) => ({ decision, reason })) : [{ decision, reason: null }];
}

/** Findings belong to no single command, so no rule lifts them; only the mode decides. */
const decideFinding = (mode: ApprovalMode, finding: Finding): Outcome => ({
  decision: byLevel(mode, finding.level),
  reason: finding.reason,
});

function combine(outcomes: Outcome[]): ApprovalDecision {
  const decision = outcomes.reduce<Decision>((acc, o) => (severity[o.decision] > severity[acc] ? o.decision : acc), "allow");
  const reasons = outcomes.filter((o) => o.decision === decision && o.reason !== null).map((o) => o.reason!);
  return { decision, reasons: [...new Set(reasons)] };
}

function decideShell(mode: ApprovalMode, rules: ApprovalRules, command: string, sandbox: Sandbox): ApprovalDecision {
  const classified = classifyCommand(command, { sandbox });
  const outcomes = [
    ...classified.parts.flatMap((part) => decidePart(mode, rules, part)),
    ...classified.findings.map((f) => decideFinding(mode, f)),
  ];
  // Deny rules cannot be checked against code only known at run time: a person looks, even in `auto`.
  if (rules.deny.length) {
    for (const reason of classified.unreadable) outcomes.push({ decision: "ask", reason: `${reason}, so the deny rules cannot be checked against it` });
  }
  // Under `all`, a command line with nothing a rule allowed (even `X=1` with no command) asks.
  if (mode === "all" && classified.parts.length === 0) outcomes.push({ decision: "ask", reason: modeAllReason(`\`${command.trim()}\``) });
  return combine(outcomes);
}

function decideWrite(mode: ApprovalMode, path: string): ApprovalDecision {
  const { level, reasons } = classifyWrite(path);
  const decision = byLevel(mode, level);
  if (decision === "ask" && level === "safe") return { decision, reasons: [modeAllReason(`writing \`${path}\``)] };
  return { decision, reasons: decision === "allow" ? [] : reasons };
}

/**
 * A tool judged by its name: deny rules win over ask rules over allow rules, as for a command.
 * With no rule, an MCP tool asks in every mode (it reaches a service outside the sandbox with
 * its own credentials); any other tool is treated as risky (runs in `auto`, asks otherwise).
 */
function decideTool(mode: ApprovalMode, rules: ApprovalRules, kind: "mcp" | "other", tool: string, unseenCommand = false): ApprovalDecision {
  const subject = `the tool \`${tool}\``;
  const deny = firstMatch(rules.deny, [tool]);
  if (deny) return { decision: "deny", reasons: [`${subject} is denied by the rule \`${deny}\``] };
  const ask = firstMatch(rules.ask, [tool]);
  if (ask) return { decision: "ask", reasons: [`${subject} matches the ask rule \`${ask}\``] };
  const allow = firstMatch(rules.allow, [tool]);
  if (allow) return { decision: "allow", reasons: [] };
  if (kind === "mcp") return { decision: "ask", reasons: [`${subject} is an MCP tool, and no rule allows it`] };
  // As for code a command line runs that cannot be read: a person looks, even in `auto`.
  if (unseenCommand && rules.deny.length) {
    return { decision: "ask", reasons: [`${subject} runs a command the agent did not show, so the deny rules cannot be checked against it`] };
  }
  const decision = byLevel(mode, "risky");
  return { decision, reasons: decision === "ask" ? [`${subject} is neither a command nor a file edit; approval mode \`${mode}\` asks before it`] : [] };
}

/** Whether what is decided runs in the run's sandbox (config `SANDBOX`); see classifyCommand. */
export type Sandbox = "on" | "off";

/**
 * Decides whether a tool call may run now (`allow`), must wait for a person (`ask`), or must
 * not run (`deny`), with the reasons to show them. Deterministic: the same mode, rules, sandbox
 * and action always give the same answer. Reads are always allowed (file tools keep them inside
 * the workspace). `sandbox` defaults to "off": nothing is assumed contained unless the caller
 * (which knows the configuration) says so.
 */
export function approvalPolicy(input: { mode: ApprovalMode; rules?: ApprovalRules; action: ApprovalAction; sandbox?: Sandbox }): ApprovalDecision {
  const rules = input.rules ?? noRules();
  switch (input.action.kind) {
    case "read":
      return { decision: "allow", reasons: [] };
    case "write":
      return decideWrite(input.mode, input.action.path);
    case "shell":
      return decideShell(input.mode, rules, input.action.command, input.sandbox ?? "off");
    case "mcp":
      return decideTool(input.mode, rules, "mcp", input.action.tool);
    case "other":
      return decideTool(input.mode, rules, "other", input.action.tool, input.action.unseenCommand);
  }
}

export type RuleRefusal = { rule: string; command: string } | { unreadable: string };

/**
 * Why a command line cannot run under deny rules, if it cannot: the first rule it breaks,
 * looking into every command it runs (`bash -c`, `find -exec`, `sed 'e …'`, wrappers), or, when
 * there are deny rules, code it runs that cannot be read and so cannot be checked against them
 * (`eval "$X"`, `python -c …`, `… | sh`). For executors that do not ask, like `cli`, whose
 * command is the person's own but still bound by the repository's deny rules.
 */
export function deniedByRule(command: string, rules: ApprovalRules): RuleRefusal | null {
  if (!rules.deny.length) return null;
  const classified = classifyCommand(command);
  for (const part of classified.parts) {
    const rule = firstMatch(rules.deny, part.forms);
    if (rule) return { rule, command: part.command };
  }
  const unreadable = classified.unreadable[0];
  return unreadable ? { unreadable } : null;
}
