import { route } from "@/lib/http/route";
import { deleteAcpAgent, updateAcpAgent, updateAcpAgentInput } from "@/lib/services/acpAgents";

export const dynamic = "force-dynamic";

export const PATCH = route({ access: "admin", body: updateAcpAgentInput }, async ({ app, principal, params, body }) =>
  updateAcpAgent(app, principal, params.name!, body),
);

export const DELETE = route({ access: "admin" }, async ({ app, principal, params }) => {
  await deleteAcpAgent(app, principal, params.name!);
  return new Response(null, { status: 204 });
});
