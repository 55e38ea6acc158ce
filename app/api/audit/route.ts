import { route } from "@/lib/http/route";
import { auditFilter, queryAudit } from "@/lib/services/audit";

export const dynamic = "force-dynamic";

// The audit log, one page of it, newest first: the active team's (its admins and owners), or
// with ?scope=instance the instance-level acts (instance admins).
export const GET = route({ access: "user", query: auditFilter }, async ({ app, principal, query }) => queryAudit(app, principal, query));
