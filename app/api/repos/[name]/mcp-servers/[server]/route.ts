import { route } from "@/lib/http/route";
import { removeMcpServer } from "@/lib/services/mcpServers";

export const dynamic = "force-dynamic";

export const DELETE = route({ access: "user" }, async ({ app, principal, params }) => {
  await removeMcpServer(app, principal, params.name!, params.server!);
  return new Response(null, { status: 204 });
});
