"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { authedAction } from "@/lib/http/action";
import { idempotencyKeyOf } from "@/lib/services/idempotency";
import { createRunInput, submitRun } from "@/lib/services/runs";

// The form carries a hidden key made when the page was rendered: a double submit, or a retry
// after the answer was lost, lands on the run the first submit made.
const newRunForm = createRunInput.and(z.object({ idempotencyKey: z.string().optional() }));

export const createRunAction = authedAction(newRunForm, async (principal, form, app) => {
  const { idempotencyKey: rawKey, ...input } = form;
  const idempotencyKey = idempotencyKeyOf(rawKey, "idempotencyKey");
  let runId: string;
  try {
    ({ run: { id: runId } } = await submitRun(app, principal, input, { idempotencyKey, keyField: "idempotencyKey" }));
  } catch (err) {
    // The key is no field a person can correct: say what happened in words.
    if (err instanceof AppError && err.issues?.some((i) => i.path === "idempotencyKey")) {
      throw new AppError(err.code, "This form was already used to start a run with other values; reload the page to start a new one");
    }
    throw err;
  }
  redirect(`/runs/${runId}`);
});
