"use server";

import { refresh } from "next/cache";
import { authedAction } from "@/lib/http/action";
import { clearEnvironmentCaches, clearEnvironmentCachesInput } from "@/lib/services/environmentCaches";

// The same service as POST /api/admin/environment-caches/clear; the page then marks what it covers.
export const clearEnvironmentCachesAction = authedAction(clearEnvironmentCachesInput, async (principal, input, app) => {
  await clearEnvironmentCaches(app, principal, input);
  refresh();
  return null;
});
