/**
 * The approval policy, shared by the job process (which asks before each tool call) and the
 * web (which shows and edits rules). Start with `approvalPolicy`; the classifiers and rule
 * helpers are exported for display and tests.
 */
export { approvalPolicy, deniedByRule, type ApprovalAction, type ApprovalDecision, type ApprovalMode, type Decision, type RuleRefusal, type Sandbox } from "./policy";
export { classifyCommand, type ClassifyOptions } from "./classifyCommand";
export { classifyWrite } from "./classifyWrite";
export { matchesPattern, normalizePattern } from "./ruleMatch";
export {
  approvalRules,
  mergeRules,
  noRules,
  rulePattern,
  ruleEffects,
  MAX_PATTERN_LENGTH,
  type ApprovalRules,
  type RuleEffect,
} from "./rules";
export type { CommandClassification, CommandPart, Finding, Level, WriteClassification } from "./types";
