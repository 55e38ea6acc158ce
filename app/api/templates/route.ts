import { route } from "@/lib/http/route";
import { createTemplate, createTemplateInput, listTemplates } from "@/lib/services/templates";

export const dynamic = "force-dynamic";

export const GET = route({ access: "user" }, async ({ app, principal }) => ({ templates: await listTemplates(app, principal) }));

export const POST = route({ access: "user", body: createTemplateInput }, async ({ app, principal, body }) =>
  Response.json(await createTemplate(app, principal, body), { status: 201 }),
);
