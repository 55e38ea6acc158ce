"use server";

import { redirect } from "next/navigation";
import { authedAction } from "@/lib/http/action";
import { createRun, createRunInput } from "@/lib/services/runs";

export const createRunAction = authedAction(createRunInput, async (principal, input, app) => {
  const run = await createRun(app, principal, input);
  redirect(`/runs/${run.id}`);
});
