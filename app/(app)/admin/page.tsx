import type { Metadata } from "next";
import { ParkedEventTable } from "@/components/admin/ParkedEventTable";
import { AdminsOnly } from "@/components/AdminsOnly";
import { Card } from "@/components/ui/Card";
import { PageHeader } from "@/components/ui/PageHeader";
import { requireAdmin } from "@/lib/server/pageAuth";
import { listParkedEvents } from "@/lib/services/parkedEvents";

export const metadata: Metadata = { title: "Admin" };

export default async function AdminPage() {
  const ctx = await requireAdmin();
  if (!ctx) return <AdminsOnly what="The admin page" />;
  const parked = await listParkedEvents(ctx.app, ctx.principal);
  return (
    <div className="space-y-8">
      <PageHeader title="Admin" description="The state of this AgentDesk install that only admins see." />
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
