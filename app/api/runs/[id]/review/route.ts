import { route } from "@/lib/http/route";
import { decideReview, getReview, reviewInput } from "@/lib/services/review";

export const dynamic = "force-dynamic";

export const GET = route({ access: "user" }, async ({ app, principal, params }) => getReview(app, principal, params.id!));

// 201 for a new decision; 200 with the same decision when it repeats the one in effect (a double click).
export const POST = route({ access: "user", body: reviewInput }, async ({ app, principal, params, body }) => {
  const result = await decideReview(app, principal, params.id!, body);
  return Response.json(result, { status: result.repeated ? 200 : 201 });
});
