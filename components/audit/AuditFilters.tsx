import { auditActionLabels, auditActions, auditSubjectTypes } from "@/lib/auditActions";
import { Field, describedBy } from "../forms/Field";
import { buttonClass, inputClass } from "../ui/styles";

export type AuditFilterValues = Partial<Record<"scope" | "action" | "actor" | "subjectType" | "subject" | "from" | "to", string>>;

const subjectTypeLabels: Record<(typeof auditSubjectTypes)[number], string> = {
  run: "Runs",
  rule: "Rules",
  member: "Members",
  invitation: "Invitations",
  repository: "Repositories",
  mcp_server: "MCP servers",
  schedule: "Schedules",
  template: "Run templates",
  token: "API tokens",
  budget: "Budgets",
  team: "The team",
  user: "Accounts",
  acp_agent: "ACP agents",
  workspace: "Workspaces",
  webhook: "Webhooks",
};

/**
 * The audit page's filters: a plain GET form, so every filter is in the URL (a link to a
 * filtered view can be shared, and the export links carry the same query).
 */
export function AuditFilters({
  values,
  actors,
  errors,
  instance,
}: {
  values: AuditFilterValues;
  actors: string[];
  errors: Record<string, string>;
  instance: boolean;
}) {
  return (
    <form method="get" action="/settings/audit" aria-label="Filter the audit log" className="grid grid-cols-1 gap-4 sm:grid-cols-2">
      {instance && <input type="hidden" name="scope" value="instance" />}
      <Field id="audit-action" label="Action" error={errors.action}>
        <select id="audit-action" name="action" defaultValue={values.action ?? ""} className={inputClass(!!errors.action)} {...describedBy("audit-action", errors.action)}>
          <option value="">Every action</option>
          {auditActions.map((a) => (
            <option key={a} value={a}>
              {auditActionLabels[a]}
            </option>
          ))}
        </select>
      </Field>
      <Field id="audit-actor" label="Person" error={errors.actor}>
        <select id="audit-actor" name="actor" defaultValue={values.actor ?? ""} className={inputClass(!!errors.actor)} {...describedBy("audit-actor", errors.actor)}>
          <option value="">Anyone</option>
          {[...new Set([...(values.actor ? [values.actor.toLowerCase()] : []), ...actors])].map((email) => (
            <option key={email} value={email}>
              {email}
            </option>
          ))}
        </select>
      </Field>
      <Field id="audit-subject-type" label="About" error={errors.subjectType}>
        <select
          id="audit-subject-type"
          name="subjectType"
          defaultValue={values.subjectType ?? ""}
          className={inputClass(!!errors.subjectType)}
          {...describedBy("audit-subject-type", errors.subjectType)}
        >
          <option value="">Anything</option>
          {auditSubjectTypes.map((t) => (
            <option key={t} value={t}>
              {subjectTypeLabels[t]}
            </option>
          ))}
        </select>
      </Field>
      <Field id="audit-subject" label="Name or id" hint="Part of a run title, repository or member, or an exact id" error={errors.subject}>
        <input
          id="audit-subject"
          name="subject"
          type="search"
          defaultValue={values.subject ?? ""}
          maxLength={200}
          className={inputClass(!!errors.subject)}
          {...describedBy("audit-subject", errors.subject)}
        />
      </Field>
      <Field id="audit-from" label="From" hint="Whole days, UTC" error={errors.from}>
        <input id="audit-from" name="from" type="date" defaultValue={values.from ?? ""} className={inputClass(!!errors.from)} {...describedBy("audit-from", errors.from)} />
      </Field>
      <Field id="audit-to" label="To" error={errors.to}>
        <input id="audit-to" name="to" type="date" defaultValue={values.to ?? ""} className={inputClass(!!errors.to)} {...describedBy("audit-to", errors.to)} />
      </Field>
      <div className="flex flex-wrap gap-2 sm:col-span-2">
        <button type="submit" className={buttonClass("primary")}>
          Apply filters
        </button>
        <a href={instance ? "/settings/audit?scope=instance" : "/settings/audit"} className={buttonClass("ghost")}>
          Clear
        </a>
      </div>
    </form>
  );
}
