import { route } from "@/lib/http/route";
import { retryRun } from "@/lib/services/retryRun";

export const dynamic = "force-dynamic";

// 201 with the new run; a repeated retry of the same run by the same person answers with the
// run the first made, marked like a replayed submit.
export const POST = route({ access: "user" }, async ({ app, principal, params }) => {
  const { run, replayed } = await retryRun(app, principal, params.id!);
  return Response.json(run, { status: 201, headers: replayed ? { "Idempotent-Replayed": "true" } : {} });
});
