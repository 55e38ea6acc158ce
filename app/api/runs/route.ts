import { route } from "@/lib/http/route";
import { IDEMPOTENCY_HEADER, idempotencyKeyOf } from "@/lib/services/idempotency";
import { listRuns, listRunsQuery } from "@/lib/services/runList";
import { createRunInput, submitRun } from "@/lib/services/runs";

export const dynamic = "force-dynamic";

// A repeated submit (same Idempotency-Key and body) answers exactly as the first did, 201 with
// the same run, marked by `Idempotent-Replayed: true`.
export const POST = route({ access: "user", body: createRunInput }, async ({ app, req, principal, body }) => {
  const idempotencyKey = idempotencyKeyOf(req.headers.get(IDEMPOTENCY_HEADER));
  const { run, replayed } = await submitRun(app, principal, body, { idempotencyKey });
  return Response.json(run, { status: 201, headers: replayed ? { "Idempotent-Replayed": "true" } : {} });
});

export const GET = route({ access: "user", query: listRunsQuery }, async ({ app, principal, query }) =>
  listRuns(app, principal, query),
);
