import { z } from "zod";
import { monthOf, spendingMonth } from "@/lib/contracts/budgets";
import { route } from "@/lib/http/route";
import { costCsv, costReport } from "@/lib/services/costs";

export const dynamic = "force-dynamic";

// The cost page's runs as CSV (`?month=YYYY-MM`, this month by default): the same report the page draws.
export const GET = route({ access: "user", query: z.object({ month: spendingMonth.optional() }) }, async ({ app, principal, query }) => {
  const month = query.month ?? monthOf(new Date());
  return new Response(costCsv(await costReport(app, principal, month)), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="agentdesk-costs-${month}.csv"`,
      "cache-control": "no-store",
    },
  });
});
