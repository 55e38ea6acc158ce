import { route } from "@/lib/http/route";
import { listParkedEvents, parkedEventsQuery } from "@/lib/services/parkedEvents";

export const dynamic = "force-dynamic";

/** Recorder entries set aside because they could not be stored (admins only), newest first. */
export const GET = route({ access: "admin", query: parkedEventsQuery }, async ({ app, principal, query }) => ({
  parkedEvents: await listParkedEvents(app, principal, query.limit),
}));
