import type { Metadata } from "next";
import Link from "next/link";
import { LiveStatus } from "@/components/live/LiveStatus";
import { RunFilters } from "@/components/runs/RunFilters";
import { RunsList } from "@/components/runs/RunsList";
import { runFilterSearch, type RunFilterValues } from "@/components/runs/runFilterUrl";
import { ShowFirstRun } from "@/components/runs/ShowFirstRun";
import { EmptyState } from "@/components/ui/EmptyState";
import { PageHeader } from "@/components/ui/PageHeader";
import { buttonClass, linkClass } from "@/components/ui/styles";
import { runStatuses, statusLabel } from "@/lib/contracts/runLifecycle";
import { executors } from "@/lib/queue";
import { requirePrincipal } from "@/lib/server/pageAuth";
import { activeTeamAllows } from "@/lib/services/teams";
import { listRepos } from "@/lib/services/repos";
import { listRuns, listRunsQuery, runFilterFields, runOwners, type ListRunsQuery } from "@/lib/services/runList";

export const metadata: Metadata = { title: "Runs" };

const PAGE_SIZE = 25;

/**
 * The page's query read with the API's own schema. A field that does not parse (an old or
 * hand-edited link) is left out and named, rather than an error page: the rest still applies.
 */
function readQuery(raw: Record<string, string | string[] | undefined>): { query: ListRunsQuery; ignored: string[] } {
  const fields: Record<string, string> = {};
  for (const field of [...runFilterFields, "cursor"] as const) {
    const v = raw[field];
    if (typeof v === "string") fields[field] = v;
  }
  const ignored: string[] = [];
  for (;;) {
    const parsed = listRunsQuery.safeParse({ ...fields, limit: PAGE_SIZE });
    if (parsed.success) return { query: parsed.data, ignored };
    const bad = parsed.error.issues.map((i) => String(i.path[0])).filter((f) => f in fields);
    if (!bad.length) return { query: listRunsQuery.parse({ limit: PAGE_SIZE }), ignored };
    for (const f of bad) {
      delete fields[f];
      ignored.push(f);
    }
  }
}

export default async function RunsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { app, principal } = await requirePrincipal();
  const { query, ignored } = readQuery(await searchParams);
  const filters: RunFilterValues = {
    q: query.q,
    repo: query.repo,
    owner: query.owner,
    mine: query.mine,
    needsMe: query.needsMe,
    status: query.status,
    executor: query.executor,
  };
  const filtered = runFilterSearch(filters) !== "" || query.cursor !== undefined;
  const [page, repos, owners] = await Promise.all([listRuns(app, principal, query), listRepos(app, principal), runOwners(app, principal)]);
  const admin = activeTeamAllows(principal, "manage");
  const newRun = (
    <Link href="/runs/new" className={buttonClass("primary")}>
      New run
    </Link>
  );

  if (!page.runs.length && !filtered) {
    return (
      <>
        <PageHeader title="Runs" description="Your team's runs, newest first." />
        <NoRunsYet hasRepos={repos.length > 0} admin={admin} />
        <ShowFirstRun />
      </>
    );
  }

  return (
    <>
      <PageHeader
        title="Runs"
        description={
          <>
            Your team&apos;s runs, newest first. <LiveStatus />
          </>
        }
        actions={newRun}
      />
      <RunFilters
        value={filters}
        repos={repos.map((r) => r.name)}
        owners={owners.map((o) => ({ value: o.email.toLowerCase(), label: o.name ? `${o.name} (${o.email})` : o.email }))}
        statuses={runStatuses.map((s) => ({ value: s, label: statusLabel(s) }))}
        executors={[...executors]}
      />
      {ignored.length > 0 && (
        <p className="mb-4 rounded-lg border border-amber-900/60 bg-amber-950/40 px-3 py-2 text-sm text-amber-200" role="status">
          Ignored a filter this page cannot read: {ignored.join(", ")}.{" "}
          <Link href={`/?${runFilterSearch(filters)}`} className={linkClass}>
            Clean up the link
          </Link>
        </p>
      )}
      <RunsList
        key={runFilterSearch(filters, { cursor: query.cursor })}
        initial={page}
        filters={filters}
        cursor={query.cursor}
        showOwner
      />
    </>
  );
}

function NoRunsYet({ hasRepos, admin }: { hasRepos: boolean; admin: boolean }) {
  const icon = (
    <svg viewBox="0 0 24 24" className="h-10 w-10" fill="none" stroke="currentColor" strokeWidth="1.5" aria-hidden="true">
      <rect x="3" y="4" width="18" height="16" rx="2" />
      <path d="M7 9l3 3-3 3M13 15h4" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
  if (!hasRepos) {
    return (
      <EmptyState icon={icon} title="No repositories yet">
        {admin ? (
          <p>
            Runs work on a registered git repository. <Link href="/repos" className={linkClass}>Register a repository</Link>{" "}
            to get started.
          </p>
        ) : (
          <p>Runs work on a registered git repository, and none is registered yet. Ask an admin to add one.</p>
        )}
      </EmptyState>
    );
  }
  return (
    <EmptyState icon={icon} title="No runs yet">
      <p>Give an agent a task on one of your repositories; you can watch every step live and review the diff before anything is pushed.</p>
      <Link href="/runs/new" className={`${buttonClass("primary")} mt-5`}>
        Start your first run
      </Link>
    </EmptyState>
  );
}
