import { route } from "@/lib/http/route";
import { createAcpAgent, createAcpAgentInput, listAcpAgentsWithStatus } from "@/lib/services/acpAgents";

export const dynamic = "force-dynamic";

/** The registered ACP agents, each with whether a live job process can start it (admins only). */
export const GET = route({ access: "admin" }, async ({ app, principal }) => ({ agents: await listAcpAgentsWithStatus(app, principal) }));

export const POST = route({ access: "admin", body: createAcpAgentInput }, async ({ app, principal, body }) =>
  Response.json(await createAcpAgent(app, principal, body), { status: 201 }),
);
