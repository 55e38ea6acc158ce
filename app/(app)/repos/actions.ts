"use server";

import { refresh } from "next/cache";
import { authedAction } from "@/lib/http/action";
import { createRepo, createRepoInput } from "@/lib/services/repos";

export const createRepoAction = authedAction(createRepoInput, async (principal, input, app) => {
  const repo = await createRepo(app, principal, input);
  refresh();
  return { name: repo.name };
});
