import { route } from "@/lib/http/route";
import { deleteEnvironment, environmentInput, getEnvironment, setEnvironment } from "@/lib/services/environments";

export const dynamic = "force-dynamic";

/** Any signed-in user may read it: it holds names only, never a variable's value. */
export const GET = route({ access: "user" }, async ({ app, principal, params }) => getEnvironment(app, principal, params.name!));

export const PUT = route({ access: "user", body: environmentInput }, async ({ app, principal, params, body }) =>
  setEnvironment(app, principal, params.name!, body),
);

export const DELETE = route({ access: "user" }, async ({ app, principal, params }) => {
  await deleteEnvironment(app, principal, params.name!);
  return new Response(null, { status: 204 });
});
