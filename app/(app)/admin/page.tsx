import type { Metadata } from "next";
import Link from "next/link";
import { AdminNav } from "@/components/admin/AdminNav";
import { ParkedEventTable } from "@/components/admin/ParkedEventTable";
import { AdminsOnly } from "@/components/AdminsOnly";
import { Card } from "@/components/ui/Card";
import { PageHeader } from "@/components/ui/PageHeader";
import { linkClass } from "@/components/ui/styles";
import { requireAdmin } from "@/lib/server/pageAuth";
import { listAcpAgents } from "@/lib/services/acpAgents";
import { listParkedEvents } from "@/lib/services/parkedEvents";

export const metadata: Metadata = { title: "Admin" };

export default async function AdminPage() {
  const ctx = await requireAdmin();
  if (!ctx) return <AdminsOnly what="The admin page" />;
  const [parked, agents] = await Promise.all([listParkedEvents(ctx.app, ctx.principal), listAcpAgents(ctx.app, ctx.principal)]);
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
      <Card title="Workspaces and caches" description="Run workspaces, prepared checkouts, mirrors and cached environments of each job process: disk use, age, delete.">
        <p className="text-sm text-zinc-300">
          <Link href="/admin/workspaces" className={linkClass}>
            See the job processes’ workspaces
          </Link>
        </p>
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
