import { route } from "@/lib/http/route";
import { deleteRepo, updateRepo, updateRepoRequest } from "@/lib/services/repos";

export const dynamic = "force-dynamic";

// Admin-only is checked in the services (403), after the repository is found (404).
export const PATCH = route({ access: "user", body: updateRepoRequest }, async ({ app, principal, params, body }) =>
  updateRepo(app, principal, params.name!, body),
);

export const DELETE = route({ access: "user" }, async ({ app, principal, params }) => deleteRepo(app, principal, params.name!));
