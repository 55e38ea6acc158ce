import type { Metadata } from "next";
import { AdminsOnly } from "@/components/AdminsOnly";
import { RepoForm } from "@/components/repos/RepoForm";
import { RepoTable } from "@/components/repos/RepoTable";
import { Card } from "@/components/ui/Card";
import { PageHeader } from "@/components/ui/PageHeader";
import { requirePrincipal } from "@/lib/server/pageAuth";
import { activeTeamAllows } from "@/lib/services/teams";
import { environmentsByRepo } from "@/lib/services/environments";
import { listMcpServers } from "@/lib/services/mcpServers";
import { listRepos, repoUsage } from "@/lib/services/repos";
import {
  addMcpServerAction,
  createRepoAction,
  deleteRepoAction,
  removeMcpServerAction,
  setNetworkHostsAction,
  testRepoAction,
  updateRepoAction,
} from "./actions";

export const metadata: Metadata = { title: "Repositories" };

export default async function ReposPage() {
  const ctx = await requirePrincipal();
  if (!activeTeamAllows(ctx.principal, "manage")) return <AdminsOnly what="The list of repositories" of="team" />;
  const repos = await listRepos(ctx.app, ctx.principal);
  const servers = await Promise.all(repos.map(async (r) => [r.name, await listMcpServers(ctx.app, ctx.principal, r.name)] as const));
  const environments = await environmentsByRepo(ctx.app, ctx.principal);
  const usage = await Promise.all(repos.map(async (r) => [r.name, await repoUsage(ctx.app.db, r.id)] as const));
  return (
    <div className="space-y-8">
      <PageHeader title="Repositories" description="Git repositories runs can work on. Every member of the team can pick them. Test connection asks a job process to reach the remote with its credential; a repository with unfinished runs cannot be deleted, and its finished runs stay readable after it is." />
      {repos.length ? (
        <RepoTable
          repos={repos}
          setNetworkHosts={setNetworkHostsAction}
          environments={environments}
          admin={{ usage: Object.fromEntries(usage), update: updateRepoAction, test: testRepoAction, remove: deleteRepoAction }}
          mcpServers={{ of: Object.fromEntries(servers), add: addMcpServerAction, remove: removeMcpServerAction }}
        />
      ) : (
        <p className="rounded-xl border border-dashed border-zinc-700 px-5 py-8 text-center text-sm text-zinc-400">
          No repository is registered yet. Add the first one below.
        </p>
      )}
      <Card title="Register a repository" description="The job process clones it into a cached mirror and works on fresh branches.">
        <RepoForm action={createRepoAction} allowLocal={ctx.app.config.allowLocalRepos} />
      </Card>
    </div>
  );
}
