import { route } from "@/lib/http/route";
import { createToken, createTokenInput, listTokens } from "@/lib/services/tokens";

export const dynamic = "force-dynamic";

export const POST = route({ access: "user", body: createTokenInput }, async ({ app, principal, body }) => {
  const created = await createToken(app, principal, body);
  return Response.json(created, { status: 201 });
});

export const GET = route({ access: "user" }, async ({ app, principal }) => ({ tokens: await listTokens(app, principal) }));
