"use server";

import { refresh } from "next/cache";
import { authedAction } from "@/lib/http/action";
import { clearEnvironmentCaches, clearEnvironmentCachesInput } from "@/lib/services/environmentCaches";
import { deleteWorkspace, deleteWorkspaceParams } from "@/lib/services/workspaces";

// The same service as POST /api/admin/environment-caches/clear; the page then marks what it covers.
export const clearEnvironmentCachesAction = authedAction(clearEnvironmentCachesInput, async (principal, input, app) => {
  await clearEnvironmentCaches(app, principal, input);
  refresh();
  return null;
});

// The same service as DELETE /api/admin/workspaces/:worker/:id: the owning job process deletes it (or says why not).
export const deleteWorkspaceAction = authedAction(deleteWorkspaceParams, async (principal, input, app) => {
  await deleteWorkspace(app, principal, input);
  refresh();
  return null;
});
