"use server";

import { refresh } from "next/cache";
import { z } from "zod";
import { authedAction } from "@/lib/http/action";
import { parseInput } from "@/lib/http/zodIssues";
import { setLimitInput, setSpendingLimit } from "@/lib/services/budgets";

// A form posts text: an empty amount removes the limit.
const limitForm = z.object({ scope: z.string(), userId: z.string().optional(), limitUsd: z.string().optional() });

/** The cost page's limit forms: the same validation and service as PUT /api/team/budgets. */
export const setSpendingLimitAction = authedAction(limitForm, async (principal, form, app) => {
  const input = parseInput(setLimitInput, {
    scope: form.scope,
    userId: form.userId,
    limitUsd: form.limitUsd === undefined ? null : Number(form.limitUsd),
  });
  const saved = await setSpendingLimit(app, principal, input);
  refresh();
  return saved;
});
