"use server";

import { refresh } from "next/cache";
import { z } from "zod";
import { authedAction } from "@/lib/http/action";
import { networkHosts } from "@/lib/networkHosts";
import { createRepo, createRepoInput, setRepoNetworkHosts } from "@/lib/services/repos";

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
