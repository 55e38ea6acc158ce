"use server";

import { z } from "zod";
import { fieldError } from "@/lib/errors";
import { authedAction } from "@/lib/http/action";
import { parseInput } from "@/lib/http/zodIssues";
import { answerInput, answerInputBody } from "@/lib/services/inputs";

// Form fields are text: the checkbox is "on" when ticked, the edited input comes as JSON.
const answerForm = z.object({
  runId: z.string().min(1),
  requestId: z.string().min(1),
  decision: z.string().optional(),
  note: z.string().optional(),
  remember: z.literal("on").optional(),
  editedInput: z.string().optional(),
  answer: z.string().optional(),
  limitUsd: z.string().optional(),
});

function parseEditedInput(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw fieldError("editedInput", "is not valid JSON");
  }
}

/** The answer card's action: the same validation and service as POST /api/runs/:id/inputs/:requestId. */
export const answerInputAction = authedAction(answerForm, async (principal, form, app) => {
  const body = parseInput(answerInputBody, {
    decision: form.decision,
    note: form.note,
    remember: form.remember ? true : undefined,
    editedInput: parseEditedInput(form.editedInput),
    answer: form.answer,
    // Only a raise sends the limit; "stop" sends the form's field too, and means no raise.
    limitUsd: form.decision === "approve" && form.limitUsd?.trim() ? Number(form.limitUsd) : undefined,
  });
  return answerInput(app, principal, form.runId, form.requestId, body);
});
