"use server";

import { refresh } from "next/cache";
import { z } from "zod";
import { authedAction } from "@/lib/http/action";
import { createAcpAgent, createAcpAgentInput, deleteAcpAgent, updateAcpAgent } from "@/lib/services/acpAgents";

export const createAcpAgentAction = authedAction(createAcpAgentInput, async (principal, input, app) => {
  const agent = await createAcpAgent(app, principal, input);
  refresh();
  return { name: agent.name };
});

// The edit form sends every field: one left empty means "none" (a form leaves it out altogether).
const editForm = createAcpAgentInput.transform((input) => ({
  ...input,
  description: input.description ?? "",
  args: input.args ?? [],
  envNames: input.envNames ?? [],
}));

export const updateAcpAgentAction = authedAction(editForm, async (principal, { name, ...changes }, app) => {
  const agent = await updateAcpAgent(app, principal, name, changes);
  refresh();
  return { name: agent.name };
});

export const deleteAcpAgentAction = authedAction(z.object({ name: z.string().min(1) }), async (principal, { name }, app) => {
  await deleteAcpAgent(app, principal, name);
  refresh();
  return null;
});
