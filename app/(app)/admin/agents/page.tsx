import type { Metadata } from "next";
import Link from "next/link";
import { AcpAgentForm } from "@/components/acpAgents/AcpAgentForm";
import { AcpAgentList } from "@/components/acpAgents/AcpAgentList";
import { AdminsOnly } from "@/components/AdminsOnly";
import { Card } from "@/components/ui/Card";
import { PageHeader } from "@/components/ui/PageHeader";
import { requireAdmin } from "@/lib/server/pageAuth";
import { listAcpAgents, listAcpAgentsWithStatus, type AcpAgentStatusView } from "@/lib/services/acpAgents";
import { createAcpAgentAction, deleteAcpAgentAction, updateAcpAgentAction } from "./actions";

export const metadata: Metadata = { title: "ACP agents" };

export default async function AcpAgentsPage() {
  const ctx = await requireAdmin();
  if (!ctx) return <AdminsOnly what="The ACP agent registry" />;
  const agents: AcpAgentStatusView[] = await listAcpAgentsWithStatus(ctx.app, ctx.principal).catch(async (e: unknown) => {
    // The registry still shows while the queue is unreachable; availability is then unknown.
    console.error("[admin/agents] could not read job process adverts:", (e as Error).message);
    const unknown = "whether a job process can start it is unknown: the queue (Redis) is not reachable";
    return (await listAcpAgents(ctx.app, ctx.principal)).map((a) => ({ ...a, available: false, unavailableReason: unknown, offeredBy: [] }));
  });
  return (
    <div className="space-y-8">
      <Link href="/admin" className="-mb-4 inline-block text-sm text-zinc-400 hover:text-zinc-200">
        ← Admin
      </Link>
      <PageHeader
        title="ACP agents"
        description="Agents speaking the Agent Client Protocol that runs of executor “ACP agent” can pick. They run in the run's sandbox, and every tool call they make passes the same approval policy as our own agent's."
      />
      {agents.length ? (
        <AcpAgentList agents={agents} update={updateAcpAgentAction} remove={deleteAcpAgentAction} />
      ) : (
        <p data-testid="no-acp-agents" className="rounded-xl border border-dashed border-zinc-700 px-5 py-8 text-center text-sm text-zinc-400">
          No ACP agent is registered yet. Register the first one below, e.g. from a preset.
        </p>
      )}
      <Card
        title="Register an ACP agent"
        description="What the job processes start, in the run's sandbox, for a run that picks it. Each job process says whether it can (program installed, variables set)."
      >
        <AcpAgentForm action={createAcpAgentAction} />
      </Card>
    </div>
  );
}
