import type { AuditAction } from "./auditActions";
import { countOf } from "./plural";

/**
 * What the audit page says about a row's details, in a few short phrases. The details were
 * validated against their action's schema when written (lib/auditActions.ts); read back from
 * jsonb they are plain values, so each phrase checks the type it prints.
 */

const MAX = 160;
const clip = (s: string) => (s.length > MAX ? `${s.slice(0, MAX - 1)}…` : s);
const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : null);
const usd = (v: unknown) => (typeof v === "number" ? `$${v.toFixed(2)}` : "no limit");

export function auditDetailText(action: AuditAction, details: Record<string, unknown>): string[] {
  const d = details;
  const parts: (string | null | false)[] = (() => {
    switch (action) {
      case "approval.approve":
      case "approval.deny":
        return [str(d.tool) && `tool ${d.tool}`, str(d.note) && `note: “${clip(String(d.note))}”`, d.remember === true && "remembered", d.edited === true && "input edited"];
      case "question.answer":
        return [str(d.question) && `asked “${clip(String(d.question))}”`, str(d.answer) && `answered “${clip(String(d.answer))}”`];
      case "review.push":
        return [
          d.pullRequest === true ? "with a pull request" : null,
          Array.isArray(d.failedChecks) && d.failedChecks.length > 0 && `over failed checks: ${d.failedChecks.join(", ")}`,
        ];
      case "review.discard":
        return [];
      case "review.request_changes":
        return [str(d.feedback) && `“${clip(String(d.feedback))}”`];
      case "run.cancel":
        return [str(d.status) && `was ${String(d.status).replace(/_/g, " ")}`];
      case "rule.create":
      case "rule.delete":
        return [d.scope === "user" ? "personal rule" : "repository rule"];
      case "member.join":
        return [str(d.role) && `as ${d.role}`, str(d.via) && `through ${String(d.via).replace(/-/g, " ")}`];
      case "member.role_change":
        return [`${d.from} → ${d.to}`];
      case "member.remove":
        return [d.left === true ? "left on their own" : str(d.role) && `was ${d.role}`];
      case "invitation.create":
      case "invitation.revoke":
        return [str(d.role) && `as ${d.role}`];
      case "repo.create":
        return [str(d.url) && clip(String(d.url)), str(d.defaultBranch) && `default branch ${d.defaultBranch}`];
      case "repo.update":
        return [Array.isArray(d.changed) && d.changed.length > 0 && `changed ${d.changed.join(", ")}`];
      case "user.update": {
        const changed = Array.isArray(d.changed) ? d.changed : [];
        return [changed.includes("role") && `now ${d.role === "admin" ? "an instance admin" : "a user"}`, changed.includes("disabled") && (d.disabled === true ? "disabled" : "enabled again")];
      }
      case "mcp_server.add":
        return [str(d.repo) && `on ${d.repo}`, str(d.command) && clip(String(d.command)), str(d.url) && clip(String(d.url))];
      case "mcp_server.remove":
        return [str(d.repo) && `from ${d.repo}`];
      case "environment.set":
      case "environment.delete":
        return [];
      case "repo.delete":
        return [d.kept === true ? "kept for its finished runs" : "removed"];
      case "schedule.create":
      case "schedule.update":
      case "schedule.delete":
        return [str(d.cron) && `${d.cron}${str(d.timezone) && d.timezone !== "UTC" ? ` (${d.timezone})` : ""}`, str(d.repo) && `on ${d.repo}`, d.enabled === false && "off"];
      case "template.create":
      case "template.update":
      case "template.delete":
        return [
          str(d.repo) && `on ${d.repo}`,
          str(d.executor) && `executor ${d.executor}`,
          Array.isArray(d.variables) && d.variables.length > 0 && `variables ${d.variables.join(", ")}`,
          Array.isArray(d.changed) && d.changed.length > 0 && `changed ${d.changed.join(", ")}`,
          Array.isArray(d.schedulesDisabled) && d.schedulesDisabled.length > 0 && `${countOf(d.schedulesDisabled.length, "schedule")} switched off`,
        ];
      case "token.create":
      case "token.revoke":
        return [str(d.scope) && `scope ${d.scope}`];
      case "budget.set":
        return [
          `${d.limit === "user" ? "member's" : "team's"} monthly limit ${usd(d.fromUsd)} → ${usd(d.toUsd)}`,
          typeof d.toUsd === "number" && (typeof d.fromUsd !== "number" || d.toUsd > d.fromUsd) ? "raised" : typeof d.toUsd === "number" ? "lowered" : "removed",
        ];
      case "budget.stop":
        return [`${d.limit === "user" ? "member's" : "team's"} limit ${usd(d.limitUsd)}`, typeof d.spendUsd === "number" && `spent ${usd(d.spendUsd)}`];
      case "team.create":
        return [str(d.slug) && `slug ${d.slug}`];
      case "team.rename":
        return [`“${d.from}” → “${d.to}”`];
      case "user.remove":
      case "acp_agent.delete":
        return [];
      case "acp_agent.create":
        return [str(d.command) && clip(String(d.command))];
      case "acp_agent.update":
        return [Array.isArray(d.changed) && d.changed.length > 0 && `changed ${d.changed.join(", ")}`];
      case "workspace.delete":
        return [str(d.worker) && `on ${d.worker}`, str(d.outcome) && String(d.outcome).replace(/_/g, " "), str(d.reason) && clip(String(d.reason))];
      case "webhook.create":
      case "webhook.delete":
        return [d.direction === "in" ? "incoming" : "outgoing", d.owner === "team" && "the team's", str(d.target) && clip(String(d.target))];
      case "webhook.update":
        return [d.direction === "in" ? "incoming" : "outgoing", Array.isArray(d.changed) && d.changed.length > 0 && `changed ${d.changed.join(", ")}`];
      case "webhook.rotate":
        return [d.direction === "in" ? "incoming" : "outgoing"];
      case "webhook.resend":
        return [str(d.eventType) && String(d.eventType), str(d.eventId) && `event ${d.eventId}`];
    }
  })();
  return parts.filter((p): p is string => typeof p === "string" && p !== "");
}
