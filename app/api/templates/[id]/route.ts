import { route } from "@/lib/http/route";
import { deleteTemplate, getTemplate, updateTemplate, updateTemplateInput } from "@/lib/services/templates";

export const dynamic = "force-dynamic";

export const GET = route({ access: "user" }, async ({ app, principal, params }) => getTemplate(app, principal, params.id!));

export const PATCH = route({ access: "user", body: updateTemplateInput }, async ({ app, principal, params, body }) =>
  updateTemplate(app, principal, params.id!, body),
);

export const DELETE = route({ access: "user" }, async ({ app, principal, params }) => {
  await deleteTemplate(app, principal, params.id!);
  return new Response(null, { status: 204 });
});
