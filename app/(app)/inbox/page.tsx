import type { Metadata } from "next";
import { InboxList } from "@/components/inputs/InboxList";
import { NotificationButton } from "@/components/inputs/NotificationButton";
import { PageHeader } from "@/components/ui/PageHeader";
import { requirePrincipal } from "@/lib/server/pageAuth";
import { listPendingInputs } from "@/lib/services/inputs";

export const metadata: Metadata = { title: "Inbox" };

export default async function InboxPage() {
  const { app, principal } = await requirePrincipal();
  const pending = await listPendingInputs(app, principal);
  return (
    <div className="mx-auto max-w-3xl">
      <PageHeader
        title="Inbox"
        description="What your runs are waiting for: approvals of risky actions and the agent's questions."
        actions={<NotificationButton />}
      />
      <InboxList initial={pending} />
    </div>
  );
}
