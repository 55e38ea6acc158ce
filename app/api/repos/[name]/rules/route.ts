import { route } from "@/lib/http/route";
import { addRepoRule, createRuleInput, listRepoRules } from "@/lib/services/approvalRules";

export const dynamic = "force-dynamic";

export const GET = route({ access: "user" }, async ({ app, principal, params }) => ({ rules: await listRepoRules(app, principal, params.name!) }));

// Admin-only is checked in the service (403), after the repository is found (404).
export const POST = route({ access: "user", body: createRuleInput }, async ({ app, principal, params, body }) =>
  Response.json(await addRepoRule(app, principal, params.name!, body), { status: 201 }),
);
