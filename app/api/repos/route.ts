import { route } from "@/lib/http/route";
import { createRepo, createRepoInput, listRepos } from "@/lib/services/repos";

export const dynamic = "force-dynamic";

export const POST = route({ access: "user", body: createRepoInput }, async ({ app, principal, body }) => {
  return Response.json(await createRepo(app, principal, body), { status: 201 });
});

export const GET = route({ access: "user" }, async ({ app, principal }) => ({ repos: await listRepos(app, principal) }));
