import { route } from "@/lib/http/route";
import { clearEnvironmentCaches, clearEnvironmentCachesInput } from "@/lib/services/environmentCaches";

export const dynamic = "force-dynamic";

/** `{ repo? }`: queued for the job processes, which remove the caches themselves: 202 with the request. */
export const POST = route({ access: "admin", body: clearEnvironmentCachesInput }, async ({ app, principal, body }) =>
  Response.json({ clear: await clearEnvironmentCaches(app, principal, body) }, { status: 202 }),
);
