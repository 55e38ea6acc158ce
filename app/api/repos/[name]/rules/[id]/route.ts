import { route } from "@/lib/http/route";
import { deleteRepoRule } from "@/lib/services/approvalRules";

export const dynamic = "force-dynamic";

export const DELETE = route({ access: "user" }, async ({ app, principal, params }) => {
  await deleteRepoRule(app, principal, params.name!, params.id!);
  return new Response(null, { status: 204 });
});
