"use server";

import { z } from "zod";
import { authedAction } from "@/lib/http/action";
import { cancelRun } from "@/lib/services/runs";

// The page learns the outcome from the run's events; the form only needs to know it was accepted.
export const cancelRunAction = authedAction(z.object({ id: z.string() }), async (principal, { id }, app) => {
  await cancelRun(app, principal, id);
  return null;
});
