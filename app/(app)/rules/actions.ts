"use server";

import { refresh } from "next/cache";
import { z } from "zod";
import { authedAction } from "@/lib/http/action";
import { addRepoRule, addUserRule, createRuleInput, deleteRepoRule, deleteUserRule } from "@/lib/services/approvalRules";

const repoField = z.string().trim().min(1, "is required");

export const addUserRuleAction = authedAction(createRuleInput, async (principal, input, app) => {
  await addUserRule(app, principal, input);
  refresh();
  return null;
});

export const deleteUserRuleAction = authedAction(z.object({ id: z.string() }), async (principal, { id }, app) => {
  await deleteUserRule(app, principal, id);
  refresh();
  return null;
});

export const addRepoRuleAction = authedAction(createRuleInput.extend({ repo: repoField }), async (principal, { repo, ...input }, app) => {
  await addRepoRule(app, principal, repo, input);
  refresh();
  return null;
});

export const deleteRepoRuleAction = authedAction(z.object({ repo: repoField, id: z.string() }), async (principal, { repo, id }, app) => {
  await deleteRepoRule(app, principal, repo, id);
  refresh();
  return null;
});
