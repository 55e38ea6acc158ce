"use server";

import { refresh } from "next/cache";
import { z } from "zod";
import { authedAction } from "@/lib/http/action";
import { createInvitation, createInvitationInput, revokeInvitation } from "@/lib/services/invitations";

// The services check that the caller is a team admin; these only adapt them to forms.
export const createInvitationAction = authedAction(createInvitationInput, async (principal, input, app) => {
  const created = await createInvitation(app, principal, input);
  refresh();
  return { url: created.url, email: created.email, teamRole: created.teamRole, expiresAt: created.expiresAt.toISOString() };
});

export const revokeInvitationAction = authedAction(z.object({ id: z.string() }), async (principal, { id }, app) => {
  await revokeInvitation(app, principal, id);
  refresh();
  return null;
});
