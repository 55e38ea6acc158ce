import { auditActionLabels } from "./auditActions";
import type { AuditEventView } from "./services/audit";

/**
 * The audit log's export files, from the rows queryAudit returns for the page's filter. CSV by
 * RFC 4180 (every field quoted, quotes doubled, CRLF between records); a field a spreadsheet
 * would run as a formula (=, +, -, @, tab, CR first) gets a leading apostrophe (OWASP's CSV
 * injection advice), since actor emails, labels and answers are typed by people.
 */

export const auditExportFormats = ["csv", "json"] as const;
export type AuditExportFormat = (typeof auditExportFormats)[number];

const CSV_COLUMNS = ["at", "action", "description", "actor_email", "actor_id", "subject_type", "subject_id", "subject_label", "team_id", "details"] as const;

function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return `"${safe.replace(/"/g, '""')}"`;
}

export function auditCsv(events: AuditEventView[]): string {
  const rows = events.map((e) => [
    e.at,
    e.action,
    auditActionLabels[e.action],
    e.actor.email,
    e.actor.userId ?? "",
    e.subject.type,
    e.subject.id,
    e.subject.label,
    e.teamId ?? "",
    JSON.stringify(e.details),
  ]);
  return [CSV_COLUMNS as readonly string[], ...rows].map((r) => r.map(csvField).join(",")).join("\r\n") + "\r\n";
}

/** The export as a download: `audit-<scope>-<date>.<format>`. */
export function auditExportResponse(events: AuditEventView[], format: AuditExportFormat, scope: string, now = new Date()): Response {
  const filename = `audit-${scope}-${now.toISOString().slice(0, 10)}.${format}`;
  const body = format === "csv" ? auditCsv(events) : JSON.stringify({ events }, null, 2);
  return new Response(body, {
    headers: {
      "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
      "content-disposition": `attachment; filename="${filename}"`,
      "cache-control": "no-store",
    },
  });
}
