"use server";

import { refresh } from "next/cache";
import { authedAction } from "@/lib/http/action";
import { createTeam, createTeamInput } from "@/lib/services/teams";

// The service checks that the caller is an instance admin.
export const createTeamAction = authedAction(createTeamInput, async (principal, input, app) => {
  const team = await createTeam(app, principal, input);
  refresh();
  return { name: team.name, slug: team.slug };
});
