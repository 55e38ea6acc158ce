import { route } from "@/lib/http/route";
import { setRepoNetworkHosts, updateRepoNetworkInput } from "@/lib/services/repos";

export const dynamic = "force-dynamic";

// Admin-only is checked in the service (403), after the repository is found (404).
export const PATCH = route({ access: "user", body: updateRepoNetworkInput }, async ({ app, principal, params, body }) =>
  setRepoNetworkHosts(app, principal, params.name!, body.networkHosts),
);
