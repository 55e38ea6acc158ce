import { route } from "@/lib/http/route";
import { IDEMPOTENCY_HEADER, idempotencyKeyOf } from "@/lib/services/idempotency";
import { rerunRun } from "@/lib/services/rerunRun";

export const dynamic = "force-dynamic";

// 201 with the new run; with an Idempotency-Key, a repeated request answers with the run the
// first made, marked like a replayed submit.
export const POST = route({ access: "user" }, async ({ app, req, principal, params }) => {
  const idempotencyKey = idempotencyKeyOf(req.headers.get(IDEMPOTENCY_HEADER));
  const { run, replayed } = await rerunRun(app, principal, params.id!, { idempotencyKey });
  return Response.json(run, { status: 201, headers: replayed ? { "Idempotent-Replayed": "true" } : {} });
});
