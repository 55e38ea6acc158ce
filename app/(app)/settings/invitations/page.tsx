import type { Metadata } from "next";
import { AdminsOnly } from "@/components/AdminsOnly";
import { CreateInvitationForm } from "@/components/invitations/CreateInvitationForm";
import { InvitationList } from "@/components/invitations/InvitationList";
import { Card } from "@/components/ui/Card";
import { PageHeader } from "@/components/ui/PageHeader";
import { requireAdmin } from "@/lib/server/pageAuth";
import { listInvitations } from "@/lib/services/invitations";
import { createInvitationAction, revokeInvitationAction } from "./actions";

export const metadata: Metadata = { title: "Invitations" };

export default async function InvitationsPage() {
  const ctx = await requireAdmin();
  if (!ctx) return <AdminsOnly what="Inviting people" />;
  const invitations = await listInvitations(ctx.app, ctx.principal);
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <PageHeader
        title="Invitations"
        description={
          ctx.app.config.openSignup
            ? "Sign-up is open to anyone who can reach this address (OPEN_SIGNUP). An invitation still sets the new account's role."
            : "New accounts need an invitation link: each works once, until it expires, optionally only for one email address."
        }
      />
      <Card title="Invite someone">
        <CreateInvitationForm action={createInvitationAction} />
      </Card>
      <Card title="Invitations">
        <InvitationList invitations={invitations} revokeAction={revokeInvitationAction} />
      </Card>
    </div>
  );
}
