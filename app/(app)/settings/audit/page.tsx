import type { Metadata } from "next";
import Link from "next/link";
import { AdminsOnly } from "@/components/AdminsOnly";
import { AuditEventList } from "@/components/audit/AuditEventList";
import { AuditFilters, type AuditFilterValues } from "@/components/audit/AuditFilters";
import { Card } from "@/components/ui/Card";
import { EmptyState } from "@/components/ui/EmptyState";
import { PageHeader } from "@/components/ui/PageHeader";
import { buttonClass, noticeClass } from "@/components/ui/styles";
import { requirePrincipal } from "@/lib/server/pageAuth";
import { auditActors, auditFilter, queryAudit, type AuditPage } from "@/lib/services/audit";
import { isAdmin } from "@/lib/services/principal";
import { activeTeamAllows } from "@/lib/services/teams";

export const metadata: Metadata = { title: "Audit log" };

type SearchParams = Record<string, string | string[] | undefined>;

const FILTER_KEYS = ["scope", "action", "actor", "subjectType", "subject", "from", "to"] as const;

/** The URL's query for these filters (and page), leaving out the empty ones. */
function queryOf(values: AuditFilterValues, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  for (const key of FILTER_KEYS) if (values[key]) q.set(key, values[key]!);
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const { app, principal } = await requirePrincipal();
  const raw = Object.fromEntries(Object.entries(await searchParams).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
  const teamLog = !!principal.team && activeTeamAllows(principal, "manageMembers");
  // An instance admin who does not manage their team still reads the instance-level log.
  const instance = isAdmin(principal) && (raw.scope === "instance" || !teamLog);
  if (!instance && !teamLog) return <AdminsOnly what="The audit log" of="team" />;

  const values: AuditFilterValues = Object.fromEntries(FILTER_KEYS.map((k) => [k, raw[k]?.trim() || undefined]));
  if (!instance) delete values.scope;
  const parsed = auditFilter.safeParse({ ...raw, scope: instance ? "instance" : "team" });
  const errors: Record<string, string> = {};
  if (!parsed.success) for (const issue of parsed.error.issues) errors[String(issue.path[0] ?? "filter")] ??= issue.message;
  const page: AuditPage | null = parsed.success ? await queryAudit(app, principal, parsed.data) : null;
  const actors = await auditActors(app, principal, instance ? "instance" : "team");
  const filtered = FILTER_KEYS.some((k) => k !== "scope" && values[k]);

  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <PageHeader
        title={instance ? "Audit log: this install" : "Audit log"}
        description={
          instance
            ? "What instance admins decided about accounts, outside any team. Newest first."
            : "Every decision people made in this team: approvals and answers, reviews, cancels, rules, members, repositories, schedules, tokens and budgets. Newest first."
        }
        actions={
          isAdmin(principal) && teamLog ? (
            <Link href={instance ? "/settings/audit" : "/settings/audit?scope=instance"} className={buttonClass("secondary", "sm")}>
              {instance ? "This team's log" : "Instance-level log"}
            </Link>
          ) : undefined
        }
      />
      <Card title="Filter">
        <AuditFilters values={values} actors={actors} errors={errors} instance={instance} />
      </Card>
      {!page ? (
        <p role="alert" className={noticeClass("error")}>
          Some filters in the address are not valid ({Object.keys(errors).join(", ")}); fix them above to see the log.
        </p>
      ) : (
        <Card
          title={page.events.length === 0 ? "No decisions" : `Decisions${page.page > 1 ? `, page ${page.page}` : ""}`}
          actions={
            page.events.length > 0 ? (
              <div className="flex gap-2">
                <a href={`/api/audit/export${queryOf(values, { format: "csv" })}`} className={buttonClass("secondary", "sm")} download>
                  Export CSV
                </a>
                <a href={`/api/audit/export${queryOf(values, { format: "json" })}`} className={buttonClass("secondary", "sm")} download>
                  Export JSON
                </a>
              </div>
            ) : undefined
          }
        >
          {page.events.length === 0 ? (
            <EmptyState title={filtered ? "Nothing matches these filters" : "Nothing recorded yet"}>
              {filtered ? "Widen the dates or clear a filter." : "Decisions appear here as people make them."}
            </EmptyState>
          ) : (
            <>
              <AuditEventList events={page.events} />
              {(page.page > 1 || page.hasMore) && (
                <nav aria-label="Pages" className="mt-4 flex items-center justify-between gap-2 border-t border-zinc-800 pt-4">
                  {page.page > 1 ? (
                    <Link href={`/settings/audit${queryOf(values, page.page > 2 ? { page: String(page.page - 1) } : {})}`} className={buttonClass("ghost", "sm")} rel="prev">
                      ← Newer
                    </Link>
                  ) : (
                    <span />
                  )}
                  {page.hasMore && (
                    <Link href={`/settings/audit${queryOf(values, { page: String(page.page + 1) })}`} className={buttonClass("ghost", "sm")} rel="next">
                      Older →
                    </Link>
                  )}
                </nav>
              )}
            </>
          )}
        </Card>
      )}
    </div>
  );
}
