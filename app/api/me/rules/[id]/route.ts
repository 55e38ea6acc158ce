import { route } from "@/lib/http/route";
import { deleteUserRule } from "@/lib/services/approvalRules";

export const dynamic = "force-dynamic";

export const DELETE = route({ access: "user" }, async ({ app, principal, params }) => {
  await deleteUserRule(app, principal, params.id!);
  return new Response(null, { status: 204 });
});
