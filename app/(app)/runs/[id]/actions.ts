"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { authedAction } from "@/lib/http/action";
import { decideReview, reviewInput } from "@/lib/services/review";
import { followUpInput, followUpRun } from "@/lib/services/followUpRun";
import { continueRun } from "@/lib/services/continueRun";
import { rerunRun } from "@/lib/services/rerunRun";
import { retryRun } from "@/lib/services/retryRun";
import { cancelRun } from "@/lib/services/runs";

// The page learns the outcome from the run's events; the form only needs to know it was accepted.
export const cancelRunAction = authedAction(z.object({ id: z.string() }), async (principal, { id }, app) => {
  await cancelRun(app, principal, id);
  return null;
});

// The same service as POST /api/runs/:id/review; a repeated click gets the same decision back.
export const reviewRunAction = authedAction(z.object({ id: z.string() }).and(reviewInput), async (principal, input, app) => {
  const { id, ...decision } = input;
  return (await decideReview(app, principal, id, decision)).decision;
});

// The same service as POST /api/runs/:id/retry; the browser goes on to the new run.
export const retryRunAction = authedAction(z.object({ id: z.string() }), async (principal, { id }, app): Promise<null> => {
  const { run } = await retryRun(app, principal, id);
  redirect(`/runs/${run.id}`);
});

// A form key made per page render: a double click lands on the same new run.
const followOnForm = z.object({ id: z.string(), key: z.string().max(255).optional() });

// The same service as POST /api/runs/:id/rerun; the browser goes on to the new run.
export const rerunRunAction = authedAction(followOnForm, async (principal, { id, key }, app): Promise<null> => {
  const { run } = await rerunRun(app, principal, id, { idempotencyKey: key, keyField: "key" });
  redirect(`/runs/${run.id}`);
});

// The same service as POST /api/runs/:id/follow-up; the browser goes on to the new run.
export const followUpRunAction = authedAction(followOnForm.and(followUpInput), async (principal, { id, key, ...body }, app): Promise<null> => {
  const { run } = await followUpRun(app, principal, id, body, { idempotencyKey: key, keyField: "key" });
  redirect(`/runs/${run.id}`);
});

// The same service as POST /api/runs/:id/continue; the browser goes on to the new run.
export const continueRunAction = authedAction(followOnForm.and(followUpInput), async (principal, { id, key, ...body }, app): Promise<null> => {
  const { run } = await continueRun(app, principal, id, body, { idempotencyKey: key, keyField: "key" });
  redirect(`/runs/${run.id}`);
});
