"use server";

import { refresh } from "next/cache";
import { z } from "zod";
import { authedAction } from "@/lib/http/action";
import { networkHosts } from "@/lib/networkHosts";
import { addMcpServer, createMcpServerInput, removeMcpServer } from "@/lib/services/mcpServers";
import { createRepo, createRepoInput, deleteRepo, setRepoNetworkHosts, testRepoConnection, updateRepo, updateRepoInput } from "@/lib/services/repos";

export const createRepoAction = authedAction(createRepoInput, async (principal, input, app) => {
  const repo = await createRepo(app, principal, input);
  refresh();
  return { name: repo.name };
});

// A form leaves an emptied list out altogether: that means no hosts.
const setNetworkHostsForm = z.object({ name: z.string().min(1), networkHosts: networkHosts.optional() });

export const setNetworkHostsAction = authedAction(setNetworkHostsForm, async (principal, input, app) => {
  const repo = await setRepoNetworkHosts(app, principal, input.name, input.networkHosts ?? []);
  refresh();
  return { networkHosts: repo.networkHosts };
});

const repoField = z.object({ repo: z.string().min(1) });

export const addMcpServerAction = authedAction(createMcpServerInput.and(repoField), async (principal, { repo, ...input }, app) => {
  const server = await addMcpServer(app, principal, repo, input);
  refresh();
  return { name: server.name, warning: server.warning ?? null };
});

export const removeMcpServerAction = authedAction(repoField.extend({ server: z.string().min(1) }), async (principal, { repo, server }, app) => {
  await removeMcpServer(app, principal, repo, server);
  refresh();
  return null;
});

// The edit form sends every field; an emptied optional field means "none" (the API's null).
const updateRepoForm = updateRepoInput.omit({ networkHosts: true }).extend({ repo: z.string().min(1) });

export const updateRepoAction = authedAction(updateRepoForm, async (principal, { repo, ...input }, app) => {
  const updated = await updateRepo(app, principal, repo, {
    ...input,
    credentialEnv: input.credentialEnv ?? null,
    githubRepo: input.githubRepo ?? null,
  });
  refresh();
  return { name: updated.name };
});

export const deleteRepoAction = authedAction(repoField, async (principal, { repo }, app) => {
  await deleteRepo(app, principal, repo);
  refresh();
  return null;
});

export const testRepoAction = authedAction(repoField, async (principal, { repo }, app) => testRepoConnection(app, principal, repo));
