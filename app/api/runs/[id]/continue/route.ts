import { route } from "@/lib/http/route";
import { continueRun } from "@/lib/services/continueRun";
import { followUpInput } from "@/lib/services/followUpRun";
import { IDEMPOTENCY_HEADER, idempotencyKeyOf } from "@/lib/services/idempotency";

export const dynamic = "force-dynamic";

// 201 with the new run, stacked on this one's branch (waiting for it while its work is not
// done); an Idempotency-Key makes a repeated request answer with the same run.
export const POST = route({ access: "user", body: followUpInput }, async ({ app, req, principal, params, body }) => {
  const idempotencyKey = idempotencyKeyOf(req.headers.get(IDEMPOTENCY_HEADER));
  const { run, replayed } = await continueRun(app, principal, params.id!, body, { idempotencyKey });
  return Response.json(run, { status: 201, headers: replayed ? { "Idempotent-Replayed": "true" } : {} });
});
