import { route } from "@/lib/http/route";
import { createRun, createRunInput, listRuns, listRunsQuery } from "@/lib/services/runs";

export const dynamic = "force-dynamic";

export const POST = route({ access: "user", body: createRunInput }, async ({ app, principal, body }) => {
  return Response.json(await createRun(app, principal, body), { status: 201 });
});

export const GET = route({ access: "user", query: listRunsQuery }, async ({ app, principal, query }) =>
  listRuns(app, principal, query),
);
