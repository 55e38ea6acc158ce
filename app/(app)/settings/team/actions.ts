"use server";

import { refresh } from "next/cache";
import { z } from "zod";
import { authedAction } from "@/lib/http/action";
import { activeTeam, changeMemberRole, memberRoleInput, removeMember, renameTeam, renameTeamInput, switchTeam, switchTeamInput } from "@/lib/services/teams";

// The services check the caller's role in the team; these only adapt them to forms.
const member = z.object({ userId: z.string().min(1).max(200) });

export const switchTeamAction = authedAction(switchTeamInput, async (principal, { teamId }, app) => {
  const team = await switchTeam(app, principal, teamId);
  refresh();
  return { name: team.name };
});

export const changeMemberRoleAction = authedAction(member.extend(memberRoleInput.shape), async (principal, { userId, role }, app) => {
  const changed = await changeMemberRole(app, principal, activeTeam(principal, "Team").id, userId, role);
  refresh();
  return { role: changed.role };
});

export const removeMemberAction = authedAction(member, async (principal, { userId }, app) => {
  await removeMember(app, principal, activeTeam(principal, "Team").id, userId);
  refresh();
  return null;
});

export const renameTeamAction = authedAction(renameTeamInput, async (principal, input, app) => {
  const team = await renameTeam(app, principal, activeTeam(principal, "Team").id, input);
  refresh();
  return { name: team.name };
});
