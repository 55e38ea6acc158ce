"use server";

import { refresh } from "next/cache";
import { z } from "zod";
import { authedAction } from "@/lib/http/action";
import { createResetLink, createResetLinkInput } from "@/lib/services/passwordReset";
import { removeUser, updateUser } from "@/lib/services/users";

// The same services as /api/admin/users/:id (PATCH, DELETE) and its password-reset route.
const target = z.object({ id: z.string().min(1) });

export const setRoleAction = authedAction(target.extend({ role: z.enum(["admin", "user"]) }), async (principal, { id, role }, app) => {
  await updateUser(app, principal, id, { role });
  refresh();
  return null;
});

export const setDisabledAction = authedAction(
  target.extend({ disabled: z.enum(["true", "false"]).transform((v) => v === "true") }),
  async (principal, { id, disabled }, app) => {
    await updateUser(app, principal, id, { disabled });
    refresh();
    return null;
  },
);

export const removeUserAction = authedAction(target, async (principal, { id }, app) => {
  await removeUser(app, principal, id);
  refresh();
  return null;
});

export const createResetLinkAction = authedAction(target.extend(createResetLinkInput.shape), async (principal, { id, ...input }, app) =>
  createResetLink(app, principal, id, input),
);
