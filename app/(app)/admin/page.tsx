import type { Metadata } from "next";
import Link from "next/link";
import { AdminNav } from "@/components/admin/AdminNav";
import { ParkedEventTable } from "@/components/admin/ParkedEventTable";
import { AdminsOnly } from "@/components/AdminsOnly";
import { ClearCachesButton } from "@/components/environments/ClearCachesButton";
import { EnvironmentCaches } from "@/components/environments/EnvironmentCaches";
import { Card } from "@/components/ui/Card";
import { PageHeader } from "@/components/ui/PageHeader";
import { linkClass } from "@/components/ui/styles";
import { requireAdmin, type PageContext } from "@/lib/server/pageAuth";
import { listAcpAgents } from "@/lib/services/acpAgents";
import { listEnvironmentCaches, type EnvironmentCachesView } from "@/lib/services/environmentCaches";
import { listParkedEvents } from "@/lib/services/parkedEvents";
import { clearEnvironmentCachesAction } from "./actions";

/** The caches as the job processes report them, or null while Redis cannot be read (the rest of the page still shows). */
async function cachesOrNull(ctx: PageContext): Promise<EnvironmentCachesView | null> {
  return listEnvironmentCaches(ctx.app, ctx.principal).catch((e: unknown) => {
    console.error("[admin] could not read the environment cache reports:", (e as Error).message);
    return null;
  });
}

export const metadata: Metadata = { title: "Admin" };

export default async function AdminPage() {
  const ctx = await requireAdmin();
  if (!ctx) return <AdminsOnly what="The admin page" />;
  const [parked, agents, caches] = await Promise.all([listParkedEvents(ctx.app, ctx.principal), listAcpAgents(ctx.app, ctx.principal), cachesOrNull(ctx)]);
  return (
    <div className="space-y-8">
      <PageHeader title="Admin" description="The state of this AgentDesk install that only admins see." />
      <AdminNav current="/admin" />
      <Card title="ACP agents" description="Third-party agents (Goose, Gemini CLI, Claude via ACP, Codex, …) that runs can pick, and whether the job processes can start them.">
        <p className="text-sm text-zinc-300">
          {agents.length ? `${agents.length} registered: ${agents.map((a) => a.name).join(", ")}.` : "None registered yet."}{" "}
          <Link href="/admin/agents" className={linkClass}>
            Manage ACP agents
          </Link>
        </p>
      </Card>
      <Card
        title="Environment caches"
        description="Set-up environments each job process keeps (repository environments: the Environment link of each repository). Evicted by age and size, least recently used first."
        actions={caches && caches.workers.some((w) => w.entries.length > 0) && <ClearCachesButton action={clearEnvironmentCachesAction} />}
      >
        {caches ? (
          <EnvironmentCaches caches={caches} clear={clearEnvironmentCachesAction} />
        ) : (
          <p className="text-sm text-amber-300">Unknown: the queue (Redis) is not reachable.</p>
        )}
      </Card>
      <Card
        title="Parked recorder entries"
        description="Run events the recorder could not store in the database (malformed, or refused after several tries). They were set aside so later events are still recorded; the run's live feed had them."
      >
        {parked.length ? (
          <ParkedEventTable entries={parked} />
        ) : (
          <p data-testid="no-parked-events" className="text-sm text-zinc-400">
            None: every event so far has been recorded.
          </p>
        )}
      </Card>
    </div>
  );
}
