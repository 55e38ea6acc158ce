import type { Metadata } from "next";
import { AdminNav } from "@/components/admin/AdminNav";
import { AdminsOnly } from "@/components/AdminsOnly";
import { ClearCachesButton } from "@/components/environments/ClearCachesButton";
import { EnvironmentCaches } from "@/components/environments/EnvironmentCaches";
import { Card } from "@/components/ui/Card";
import { PageHeader } from "@/components/ui/PageHeader";
import { WorkerWorkspaces } from "@/components/workspaces/WorkerWorkspaces";
import { requireAdmin, type PageContext } from "@/lib/server/pageAuth";
import { listWorkspaces, type WorkspacesView } from "@/lib/services/workspaces";
import { clearEnvironmentCachesAction, deleteWorkspaceAction } from "../actions";

export const metadata: Metadata = { title: "Workspaces" };

/** Both views of the job processes' disks, or null while Redis cannot be read (the page says so). */
async function viewsOrNull(ctx: PageContext): Promise<WorkspacesView | null> {
  return listWorkspaces(ctx.app, ctx.principal).catch((e: unknown) => {
    console.error("[admin] could not read the job processes' workspace reports:", (e as Error).message);
    return null;
  });
}

export default async function WorkspacesPage() {
  const ctx = await requireAdmin();
  if (!ctx) return <AdminsOnly what="The workspaces page" />;
  const views = await viewsOrNull(ctx);
  const workers = views?.workers ?? [];
  return (
    <div className="space-y-8">
      <PageHeader
        title="Workspaces"
        description="What each job process keeps on its disk: run workspaces, prepared checkouts, mirrors and cached environments, as it last reported them (every ten seconds)."
      />
      <AdminNav current="/admin/workspaces" />
      <Card
        title="Run workspaces"
        description="A run's folder holds its repository (its branch, for review) and the folders of its attempts. Left-over ones (no job on that process uses them) are removed when older than the age limit, then oldest first while over the size limit; a running or suspended run's workspace is never removed."
      >
        {!views ? (
          <p className="text-sm text-amber-300">Unknown: the queue (Redis) is not reachable.</p>
        ) : workers.length === 0 ? (
          <p data-testid="no-workspace-reports" className="text-sm text-zinc-400">
            No job process reports its workspaces. Start one with <code className="font-mono text-zinc-300">npm start</code> (or <code className="font-mono text-zinc-300">npm run worker</code>); it reports within seconds.
          </p>
        ) : (
          <div className="space-y-4" data-testid="workspace-workers">
            {workers.map((w) => (
              <WorkerWorkspaces key={w.worker} worker={w} remove={deleteWorkspaceAction} />
            ))}
          </div>
        )}
      </Card>
      <Card
        title="Environment caches"
        description="Set-up environments each job process keeps (repository environments: the Environment link of each repository). Evicted by age and size, least recently used first."
        actions={views && views.caches.workers.some((w) => w.entries.length > 0) && <ClearCachesButton action={clearEnvironmentCachesAction} />}
      >
        {views ? (
          <EnvironmentCaches caches={views.caches} clear={clearEnvironmentCachesAction} />
        ) : (
          <p className="text-sm text-amber-300">Unknown: the queue (Redis) is not reachable.</p>
        )}
      </Card>
    </div>
  );
}
