import type { Metadata } from "next";
import Link from "next/link";
import { LiveStatus } from "@/components/live/LiveStatus";
import { RunsList } from "@/components/runs/RunsList";
import { ShowFirstRun } from "@/components/runs/ShowFirstRun";
import { StatusFilter } from "@/components/runs/StatusFilter";
import { EmptyState } from "@/components/ui/EmptyState";
import { PageHeader } from "@/components/ui/PageHeader";
import { buttonClass, linkClass } from "@/components/ui/styles";
import { runStatuses, statusLabel } from "@/lib/contracts/runLifecycle";
import { requirePrincipal } from "@/lib/server/pageAuth";
import { isAdmin } from "@/lib/services/principal";
import { listRepos } from "@/lib/services/repos";
import { listRuns, listRunsQuery } from "@/lib/services/runs";

export const metadata: Metadata = { title: "Runs" };

export default async function RunsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[]>> }) {
  const { app, principal } = await requirePrincipal();
  const { status: rawStatus } = await searchParams;
  // An unknown ?status= is ignored rather than an error page: the filter just resets.
  const parsed = listRunsQuery.safeParse({ status: rawStatus, limit: 25 });
  const query = parsed.success ? parsed.data : { limit: 25 };
  const [page, repos] = await Promise.all([listRuns(app, principal, query), listRepos(app)]);
  const newRun = (
    <Link href="/runs/new" className={buttonClass("primary")}>
      New run
    </Link>
  );

  if (!page.runs.length && !query.status) {
    return (
      <>
        <PageHeader title="Runs" description={isAdmin(principal) ? "Every user's runs, newest first." : "Your runs, newest first."} />
        <NoRunsYet hasRepos={repos.length > 0} admin={isAdmin(principal)} />
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
            {isAdmin(principal) ? "Every user's runs, newest first." : "Your runs, newest first."} <LiveStatus />
          </>
        }
        actions={
          <>
            <StatusFilter value={query.status} statuses={runStatuses.map((s) => ({ value: s, label: statusLabel(s) }))} />
            {newRun}
          </>
        }
      />
      <RunsList key={query.status ?? "all"} initial={page} status={query.status} />
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
