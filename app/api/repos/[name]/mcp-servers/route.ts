import { route } from "@/lib/http/route";
import { addMcpServer, createMcpServerInput, listMcpServers } from "@/lib/services/mcpServers";

export const dynamic = "force-dynamic";

/** A repository's MCP servers (admins only: they say what runs start and which variables they get). */
export const GET = route({ access: "user" }, async ({ app, principal, params }) => ({
  servers: await listMcpServers(app, principal, params.name!),
}));

export const POST = route({ access: "user", body: createMcpServerInput }, async ({ app, principal, params, body }) =>
  Response.json(await addMcpServer(app, principal, params.name!, body), { status: 201 }),
);
