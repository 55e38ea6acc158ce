import { z } from "zod";
import { spendingMonth } from "@/lib/contracts/budgets";
import { route } from "@/lib/http/route";
import { budgetOverview, setLimitInput, setSpendingLimit } from "@/lib/services/budgets";

export const dynamic = "force-dynamic";

// The active team's monthly limits and the month's spend against them (`?month=YYYY-MM`, this
// month by default): every member for its admins and owners, one's own line for anyone else.
export const GET = route({ access: "user", query: z.object({ month: spendingMonth.optional() }) }, async ({ app, principal, query }) => ({
  budgets: await budgetOverview(app, principal, query.month),
}));

// Team admins and owners set the team's limit or a member's: `{ scope, userId?, limitUsd }` (null removes it).
export const PUT = route({ access: "user", body: setLimitInput }, async ({ app, principal, body }) => ({
  limit: await setSpendingLimit(app, principal, body),
}));
