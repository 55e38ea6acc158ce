import { route } from "@/lib/http/route";
import { addUserRule, createRuleInput, listUserRules } from "@/lib/services/approvalRules";

export const dynamic = "force-dynamic";

export const GET = route({ access: "user" }, async ({ app, principal }) => ({ rules: await listUserRules(app, principal) }));

export const POST = route({ access: "user", body: createRuleInput }, async ({ app, principal, body }) =>
  Response.json(await addUserRule(app, principal, body), { status: 201 }),
);
