"use server";

import { refresh } from "next/cache";
import { z } from "zod";
import { authedAction } from "@/lib/http/action";
import { createToken, createTokenInput, revokeToken } from "@/lib/services/tokens";

export const createTokenAction = authedAction(createTokenInput, async (principal, input, app) => {
  const created = await createToken(app, principal, input);
  refresh();
  return { name: created.name, token: created.token };
});

export const revokeTokenAction = authedAction(z.object({ id: z.string() }), async (principal, { id }, app) => {
  await revokeToken(app, principal, id);
  refresh();
  return null;
});
