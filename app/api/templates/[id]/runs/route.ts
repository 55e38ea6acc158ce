import { route } from "@/lib/http/route";
import { IDEMPOTENCY_HEADER, idempotencyKeyOf } from "@/lib/services/idempotency";
import { startFromTemplateInput, startRunFromTemplate } from "@/lib/services/templates";

export const dynamic = "force-dynamic";

// Starts a run from the template with `{ variables }`, answering as POST /api/runs does
// (201 with the run; the same Idempotency-Key and request: the same run, `Idempotent-Replayed`).
export const POST = route({ access: "user", body: startFromTemplateInput }, async ({ app, req, principal, params, body }) => {
  const idempotencyKey = idempotencyKeyOf(req.headers.get(IDEMPOTENCY_HEADER));
  const { run, replayed } = await startRunFromTemplate(app, principal, params.id!, body.variables, { idempotencyKey });
  return Response.json(run, { status: 201, headers: replayed ? { "Idempotent-Replayed": "true" } : {} });
});
