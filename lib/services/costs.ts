import { and, asc, eq, gt, gte, lt } from "drizzle-orm";
import { monthOf, monthRange, type SpendingMonth } from "../contracts/budgets";
import type { Db } from "../db/client";
import { repository, run, user } from "../db/schema";
import type { Principal } from "./principal";
import { activeTeamAllows, assertActiveTeamAllows } from "./teams";

/**
 * The cost page and its CSV export (one function behind both): what a team's runs cost in a
 * UTC calendar month, by day and by user, repository, executor and model. A run's cost is
 * the usage its executor reported (the run's totals), counted in the month and on the day the
 * run was created, the same attribution as the spending limits (lib/contracts/budgets.ts).
 * Team admins and owners see the whole team; anyone else in the team sees their own runs.
 */

export type CostRun = {
  runId: string;
  title: string;
  createdAt: Date;
  userEmail: string;
  repository: string;
  executor: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  costUsd: number;
};

export type CostSlice = { key: string; costUsd: number; runs: number };
export type CostReport = {
  month: SpendingMonth;
  /** "team": every member's runs (admins and owners); "own": the principal's runs only. */
  scope: "team" | "own";
  totalUsd: number;
  /** Every day of the month, in order, zero where nothing was spent. */
  byDay: { day: string; costUsd: number }[];
  byUser: CostSlice[];
  byRepository: CostSlice[];
  byExecutor: CostSlice[];
  byModel: CostSlice[];
  /** The runs that cost anything, oldest first: the CSV's rows. */
  runs: CostRun[];
};

/** How a run's executor and model read on the page: an ACP agent by name, a run without a model as the agent's own. */
const executorLabel = (executor: string, acpAgent: string | null) => (executor === "acp" && acpAgent ? `acp: ${acpAgent}` : executor);
const modelLabel = (model: string | null) => model ?? "(agent's own)";

function slices(runs: CostRun[], keyOf: (r: CostRun) => string): CostSlice[] {
  const by = new Map<string, CostSlice>();
  for (const r of runs) {
    const key = keyOf(r);
    const slice = by.get(key) ?? { key, costUsd: 0, runs: 0 };
    slice.costUsd += r.costUsd;
    slice.runs += 1;
    by.set(key, slice);
  }
  return [...by.values()].sort((a, b) => b.costUsd - a.costUsd || a.key.localeCompare(b.key));
}

function daysOf(month: SpendingMonth): string[] {
  const { from, to } = monthRange(month);
  const days: string[] = [];
  for (let d = from.getTime(); d < to.getTime(); d += 24 * 3600 * 1000) days.push(new Date(d).toISOString().slice(0, 10));
  return days;
}

export async function costReport(app: { db: Db }, principal: Principal, month: SpendingMonth = monthOf(new Date())): Promise<CostReport> {
  const { id: teamId } = assertActiveTeamAllows(principal, "read", "Team");
  const scope = activeTeamAllows(principal, "manage") ? "team" : "own";
  const { from, to } = monthRange(month);
  const rows = await app.db
    .select({
      runId: run.id,
      title: run.title,
      createdAt: run.createdAt,
      userEmail: user.email,
      repository: repository.name,
      executor: run.executor,
      acpAgent: run.acpAgent,
      model: run.model,
      inputTokens: run.inputTokens,
      outputTokens: run.outputTokens,
      cacheReadTokens: run.cacheReadTokens,
      costUsd: run.costUsd,
    })
    .from(run)
    .innerJoin(user, eq(user.id, run.userId))
    .innerJoin(repository, eq(repository.id, run.repositoryId))
    .where(
      and(
        eq(run.teamId, teamId),
        gte(run.createdAt, from),
        lt(run.createdAt, to),
        gt(run.costUsd, 0),
        scope === "own" ? eq(run.userId, principal.userId) : undefined,
      ),
    )
    .orderBy(asc(run.createdAt), asc(run.id));
  const runs: CostRun[] = rows.map(({ acpAgent, model, executor, ...r }) => ({
    ...r,
    executor: executorLabel(executor, acpAgent),
    model: modelLabel(model),
  }));
  const perDay = new Map<string, number>();
  for (const r of runs) {
    const day = r.createdAt.toISOString().slice(0, 10);
    perDay.set(day, (perDay.get(day) ?? 0) + r.costUsd);
  }
  return {
    month,
    scope,
    totalUsd: runs.reduce((sum, r) => sum + r.costUsd, 0),
    byDay: daysOf(month).map((day) => ({ day, costUsd: perDay.get(day) ?? 0 })),
    byUser: slices(runs, (r) => r.userEmail),
    byRepository: slices(runs, (r) => r.repository),
    byExecutor: slices(runs, (r) => r.executor),
    byModel: slices(runs, (r) => r.model),
    runs,
  };
}

const CSV_COLUMNS = ["created_at", "run_id", "title", "user", "repository", "executor", "model", "input_tokens", "output_tokens", "cache_read_tokens", "cost_usd"];

/** RFC 4180 quoting; a leading = + - @ is defused so a spreadsheet never runs a title as a formula. */
function csvField(value: string | number): string {
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The report's runs as CSV, one line per run, costs to the cent's hundredth (as the executors report them, rounded). */
export function costCsv(report: CostReport): string {
  const lines = [CSV_COLUMNS.join(",")];
  for (const r of report.runs) {
    lines.push(
      [
        r.createdAt.toISOString(),
        r.runId,
        r.title,
        r.userEmail,
        r.repository,
        r.executor,
        r.model,
        r.inputTokens,
        r.outputTokens,
        r.cacheReadTokens,
        r.costUsd.toFixed(4),
      ]
        .map(csvField)
        .join(","),
    );
  }
  return lines.join("\r\n") + "\r\n";
}
