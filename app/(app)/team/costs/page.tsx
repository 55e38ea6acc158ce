import type { Metadata } from "next";
import { LimitForm } from "@/components/costs/LimitForm";
import { usd } from "@/components/costs/money";
import { SpendBreakdown } from "@/components/costs/SpendBreakdown";
import { SpendByDayChart } from "@/components/costs/SpendByDayChart";
import { Card } from "@/components/ui/Card";
import { PageHeader } from "@/components/ui/PageHeader";
import { buttonClass, inputClass } from "@/components/ui/styles";
import { monthOf, spendingMonth } from "@/lib/contracts/budgets";
import { requirePrincipal } from "@/lib/server/pageAuth";
import { budgetOverview } from "@/lib/services/budgets";
import { costReport } from "@/lib/services/costs";
import { setSpendingLimitAction } from "./actions";

export const metadata: Metadata = { title: "Costs" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

function monthTitle(month: string): string {
  return new Date(`${month}-01T00:00:00Z`).toLocaleString("en-GB", { month: "long", year: "numeric", timeZone: "UTC" });
}

/** A limit and the spend against it, as one line. */
function against(spendUsd: number, limitUsd: number | null): string {
  return limitUsd === null ? `${usd(spendUsd)} · no limit` : `${usd(spendUsd)} of ${usd(limitUsd)}`;
}

/**
 * The team's spend in a month (`?month=YYYY-MM`), by day and by user, repository, executor and
 * model, with its CSV; the monthly limits and, for admins and owners, the forms to set them.
 */
export default async function CostsPage({ searchParams }: Props) {
  const { app, principal } = await requirePrincipal();
  const asked = (await searchParams).month;
  const parsed = spendingMonth.safeParse(asked);
  const month = parsed.success ? parsed.data : monthOf(new Date());
  const [report, budgets] = await Promise.all([costReport(app, principal, month), budgetOverview(app, principal, month)]);
  const mine = budgets.members.find((m) => m.userId === principal.userId);
  return (
    <div className="space-y-6">
      <PageHeader
        title="Costs"
        description={
          report.scope === "team"
            ? "What the team's runs cost, from the usage their executors report, counted in the month each run was created (UTC)."
            : "What your runs in this team cost, from the usage their executors report, counted in the month each run was created (UTC)."
        }
        actions={
          <a href={`/api/team/costs.csv?month=${month}`} download className={buttonClass("secondary")} data-costs-csv>
            Download CSV
          </a>
        }
      />
      <form method="get" className="flex flex-wrap items-end gap-2" aria-label="Choose a month">
        <div className="space-y-1">
          <label htmlFor="month" className="block text-xs font-medium text-zinc-300">
            Month
          </label>
          <input id="month" name="month" type="month" defaultValue={month} className={inputClass(asked !== undefined && !parsed.success)} />
        </div>
        <button type="submit" className={buttonClass("secondary")}>
          Show
        </button>
        {asked !== undefined && !parsed.success && (
          <p role="alert" className="w-full text-xs text-red-400">
            Month must be a month as YYYY-MM; showing {monthTitle(month)}.
          </p>
        )}
      </form>

      <div className="grid gap-4 sm:grid-cols-3">
        <Card title={`Spent in ${monthTitle(month)}`}>
          <p className="text-2xl font-semibold tabular-nums text-zinc-50" data-cost-total={report.totalUsd.toFixed(4)}>
            {usd(report.totalUsd)}
          </p>
          <p className="text-xs text-zinc-400">
            {/* Only runs whose executor reported a cost count (a shell command reports none). */}
            {report.runs.length} run{report.runs.length === 1 ? "" : "s"} with a cost {report.scope === "team" ? "in the team" : "of yours"}
          </p>
        </Card>
        <Card title="Team limit">
          <p className="text-sm text-zinc-200 tabular-nums" data-team-limit>
            {against(budgets.team.spendUsd, budgets.team.limitUsd)}
          </p>
        </Card>
        {mine && (
          <Card title="Your limit">
            <p className="text-sm text-zinc-200 tabular-nums" data-own-limit>
              {against(mine.spendUsd, mine.limitUsd)}
            </p>
          </Card>
        )}
      </div>

      <Card title="Spend per day">
        <SpendByDayChart days={report.byDay} />
      </Card>

      <div className="grid gap-4 lg:grid-cols-2">
        {report.scope === "team" && (
          <Card title="By user">
            <SpendBreakdown name="user" slices={report.byUser} />
          </Card>
        )}
        <Card title="By repository">
          <SpendBreakdown name="repository" slices={report.byRepository} />
        </Card>
        <Card title="By executor">
          <SpendBreakdown name="executor" slices={report.byExecutor} />
        </Card>
        <Card title="By model">
          <SpendBreakdown name="model" slices={report.byModel} />
        </Card>
      </div>

      {budgets.canManage && (
        <Card
          title="Monthly spending limits"
          description="A run whose next model turn would cross a limit pauses and asks the team's admins and owners to raise it or stop the run."
        >
          <div className="space-y-4">
            <LimitForm action={setSpendingLimitAction} scope="team" label="Team" limitUsd={budgets.team.limitUsd} />
            {budgets.members.map((m) => (
              <div key={m.userId} className="space-y-1 border-t border-zinc-800 pt-3">
                <p className="text-xs text-zinc-400 tabular-nums">Spent this month: {against(m.spendUsd, m.limitUsd)}</p>
                <LimitForm action={setSpendingLimitAction} scope="user" userId={m.userId} label={m.email} limitUsd={m.limitUsd} />
              </div>
            ))}
          </div>
        </Card>
      )}
    </div>
  );
}
