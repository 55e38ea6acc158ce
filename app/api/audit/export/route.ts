import { z } from "zod";
import { auditExportFormats, auditExportResponse } from "@/lib/auditExport";
import { route } from "@/lib/http/route";
import { auditFilter, queryAudit } from "@/lib/services/audit";

export const dynamic = "force-dynamic";

const exportQuery = z.intersection(auditFilter, z.object({ format: z.enum(auditExportFormats, { error: "must be csv or json" }).default("csv") }));

// Every row of the audit log the filter matches (the page's filter, without its paging), as a
// CSV or JSON download.
export const GET = route({ access: "user", query: exportQuery }, async ({ app, principal, query }) => {
  const { events } = await queryAudit(app, principal, query, { all: true });
  return auditExportResponse(events, query.format, query.scope);
});
