import { route } from "@/lib/http/route";
import { followUpInput, followUpRun } from "@/lib/services/followUpRun";
import { IDEMPOTENCY_HEADER, idempotencyKeyOf } from "@/lib/services/idempotency";

export const dynamic = "force-dynamic";

// 201 with the new run, which starts from the pushed run's branch; an Idempotency-Key makes a
// repeated request answer with the same run.
export const POST = route({ access: "user", body: followUpInput }, async ({ app, req, principal, params, body }) => {
  const idempotencyKey = idempotencyKeyOf(req.headers.get(IDEMPOTENCY_HEADER));
  const { run, replayed } = await followUpRun(app, principal, params.id!, body, { idempotencyKey });
  return Response.json(run, { status: 201, headers: replayed ? { "Idempotent-Replayed": "true" } : {} });
});
