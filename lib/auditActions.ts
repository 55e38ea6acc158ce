import { z } from "zod";
import { teamRoles, tokenScopes } from "./teamRoles";

/**
 * What the audit log records: every decision a person makes, one action each, declared here
 * once with the shape of its details. lib/services/audit.ts is the one writer and validates a
 * row's details against its action's schema; the audit page and its export read them back.
 */

// Shapes only, no lengths: the texts were bounded where people typed them, and a row the
// writer refused would lose the decision it records.
const id = z.string().min(1);
const text = z.string();
const nullableText = z.string().nullable();

const inputDecided = z.object({
  requestId: id,
  tool: nullableText,
  note: nullableText,
  remember: z.boolean(),
  // The person approved an input of their own instead of the agent's (an edited command).
  edited: z.boolean(),
});

const ruleChange = z.object({
  scope: z.enum(["repo", "user"]),
  pattern: text,
  effect: z.enum(["allow", "ask", "deny"]),
});

const scheduleFields = z.object({ cron: text, timezone: text, enabled: z.boolean(), repo: nullableText });

// A run template (lib/services/templates.ts): where it runs, with what, and its variables.
const templateFields = z.object({ repo: nullableText, executor: text, variables: z.array(text) });

export const auditDetails = {
  // ---- runs ----
  "approval.approve": inputDecided,
  "approval.deny": inputDecided,
  "question.answer": z.object({ requestId: id, question: nullableText, answer: text }),
  // failedChecks: the reviewed commit's post-run checks that failed, pushed anyway (acknowledged).
  "review.push": z.object({ decisionId: id, pullRequest: z.boolean(), failedChecks: z.array(text).optional() }),
  "review.request_changes": z.object({ decisionId: id, feedback: nullableText }),
  "review.discard": z.object({ decisionId: id }),
  "run.cancel": z.object({ status: text }),
  // ---- rules ----
  "rule.create": ruleChange,
  "rule.delete": ruleChange,
  // ---- members (using an invitation is the join it made: via "invitation") ----
  "member.join": z.object({ role: z.enum(teamRoles), via: z.enum(["invitation", "first-account", "team-created", "single-sign-on"]) }),
  "member.role_change": z.object({ from: z.enum(teamRoles), to: z.enum(teamRoles) }),
  "member.remove": z.object({ role: z.enum(teamRoles), left: z.boolean() }),
  "invitation.create": z.object({ email: nullableText, role: z.enum(teamRoles), expiresAt: z.iso.datetime() }),
  "invitation.revoke": z.object({ email: nullableText, role: z.enum(teamRoles) }),
  // ---- repositories and schedules ----
  "repo.create": z.object({ url: text, defaultBranch: text }),
  "repo.update": z.object({ changed: z.array(text) }),
  "repo.delete": z.object({ kept: z.boolean() }),
  // What a repository's runs get to execute: its MCP servers and its environment (setup script).
  "mcp_server.add": z.object({ repo: text, transport: text, command: nullableText, url: nullableText }),
  "mcp_server.remove": z.object({ repo: text }),
  "environment.set": z.object({}),
  "environment.delete": z.object({}),
  "schedule.create": scheduleFields,
  "schedule.update": scheduleFields,
  "schedule.delete": scheduleFields,
  "template.create": templateFields,
  "template.update": templateFields.extend({ changed: z.array(text) }),
  // Its schedules were switched off with it (their ids).
  "template.delete": templateFields.extend({ schedulesDisabled: z.array(id) }),
  // ---- tokens ----
  "token.create": z.object({ name: text, scope: z.enum(tokenScopes) }),
  "token.revoke": z.object({ name: text, scope: z.enum(tokenScopes) }),
  // ---- budgets (lib/services/budgets.ts): a monthly limit set, raised (also from a run's budget
  // request), lowered or removed (null); a run stopped at a limit instead of raising it ----
  "budget.set": z.object({
    limit: z.enum(["team", "user"]),
    fromUsd: z.number().nonnegative().nullable(),
    toUsd: z.number().nonnegative().nullable(),
  }),
  "budget.stop": z.object({ requestId: id, limit: z.enum(["team", "user"]), limitUsd: z.number().nullable(), spendUsd: z.number().nullable() }),
  // ---- teams and accounts ----
  "team.create": z.object({ name: text, slug: text }),
  "team.rename": z.object({ from: text, to: text }),
  // Instance-level (no team): an instance admin's acts on accounts.
  "user.update": z.object({ changed: z.array(text), role: z.enum(["admin", "user"]).optional(), disabled: z.boolean().optional() }),
  "user.remove": z.object({}),
  "acp_agent.create": z.object({ command: text }),
  "acp_agent.update": z.object({ changed: z.array(text) }),
  "acp_agent.delete": z.object({}),
  // Instance-level: an admin's delete of a job process's workspace, with what the job process answered.
  "workspace.delete": z.object({ worker: text, outcome: z.enum(["deleted", "refused", "not_found", "no_answer"]), reason: nullableText }),
  // ---- webhooks (lib/services/webhookEndpoints.ts, lib/services/inboundWebhooks.ts): out to a
  // URL (a person's or the team's), in from a repository's sender ----
  "webhook.create": z.object({ direction: z.enum(["out", "in"]), owner: z.enum(["user", "team"]), target: text }),
  "webhook.update": z.object({ direction: z.enum(["out", "in"]), changed: z.array(text) }),
  "webhook.rotate": z.object({ direction: z.enum(["out", "in"]) }),
  "webhook.delete": z.object({ direction: z.enum(["out", "in"]), target: text }),
  "webhook.resend": z.object({ deliveryId: id, eventId: id, eventType: text }),
} as const satisfies Record<string, z.ZodType>;

export type AuditAction = keyof typeof auditDetails;
export type AuditDetails<A extends AuditAction> = z.infer<(typeof auditDetails)[A]>;

export const auditActions = Object.keys(auditDetails) as [AuditAction, ...AuditAction[]];
export const auditAction = z.enum(auditActions);

/** What kind of thing a decision was about (the subject's type). */
export const auditSubjectTypes = ["run", "rule", "member", "invitation", "repository", "mcp_server", "schedule", "template", "token", "budget", "team", "user", "acp_agent", "workspace", "webhook"] as const;
export type AuditSubjectType = (typeof auditSubjectTypes)[number];

/** How the page names each action. */
export const auditActionLabels: Record<AuditAction, string> = {
  "approval.approve": "Approved a tool call",
  "approval.deny": "Denied a tool call",
  "question.answer": "Answered a question",
  "review.push": "Pushed a run",
  "review.request_changes": "Requested changes",
  "review.discard": "Discarded a run",
  "run.cancel": "Cancelled a run",
  "rule.create": "Added a rule",
  "rule.delete": "Deleted a rule",
  "member.join": "Joined the team",
  "member.role_change": "Changed a member's role",
  "member.remove": "Removed a member",
  "invitation.create": "Created an invitation",
  "invitation.revoke": "Revoked an invitation",
  "repo.create": "Registered a repository",
  "repo.update": "Edited a repository",
  "repo.delete": "Deleted a repository",
  "mcp_server.add": "Added an MCP server",
  "mcp_server.remove": "Removed an MCP server",
  "environment.set": "Set a repository's environment",
  "environment.delete": "Removed a repository's environment",
  "schedule.create": "Created a schedule",
  "schedule.update": "Changed a schedule",
  "schedule.delete": "Deleted a schedule",
  "template.create": "Created a run template",
  "template.update": "Changed a run template",
  "template.delete": "Deleted a run template",
  "token.create": "Created an API token",
  "token.revoke": "Revoked an API token",
  "budget.set": "Set a spending limit",
  "budget.stop": "Stopped a run at its limit",
  "team.create": "Created the team",
  "team.rename": "Renamed the team",
  "user.update": "Changed an account",
  "user.remove": "Removed an account",
  "acp_agent.create": "Registered an ACP agent",
  "acp_agent.update": "Changed an ACP agent",
  "acp_agent.delete": "Removed an ACP agent",
  "workspace.delete": "Deleted a workspace",
  "webhook.create": "Created a webhook",
  "webhook.update": "Changed a webhook",
  "webhook.rotate": "Rotated a webhook's secret",
  "webhook.delete": "Deleted a webhook",
  "webhook.resend": "Resent a webhook delivery",
};
