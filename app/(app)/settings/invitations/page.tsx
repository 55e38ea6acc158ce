import type { Metadata } from "next";
import { AdminsOnly } from "@/components/AdminsOnly";
import { rolesManageableBy } from "@/lib/teamRoles";
import { activeTeamAllows } from "@/lib/services/teams";
import { CreateInvitationForm } from "@/components/invitations/CreateInvitationForm";
import { InvitationList } from "@/components/invitations/InvitationList";
import { Card } from "@/components/ui/Card";
import { PageHeader } from "@/components/ui/PageHeader";
import { requirePrincipal } from "@/lib/server/pageAuth";
import { listInvitations } from "@/lib/services/invitations";
import { createInvitationAction, revokeInvitationAction } from "./actions";

export const metadata: Metadata = { title: "Invitations" };

export default async function InvitationsPage() {
  const ctx = await requirePrincipal();
  if (!ctx.principal.team || !activeTeamAllows(ctx.principal, "manageMembers")) return <AdminsOnly what="Inviting people" of="team" />;
  const invitations = await listInvitations(ctx.app, ctx.principal);
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <PageHeader
        title="Invitations"
        description={
          ctx.app.config.openSignup
            ? "Sign-up is open to anyone who can reach this address (OPEN_SIGNUP). An invitation still brings the new account into your team with its role."
            : "New accounts need an invitation link: each works once, until it expires, optionally only for one email address."
        }
      />
      <Card title="Invite someone">
        <CreateInvitationForm action={createInvitationAction} roles={rolesManageableBy(ctx.principal.team.role)} />
      </Card>
      <Card title="Invitations">
        <InvitationList invitations={invitations} revokeAction={revokeInvitationAction} />
      </Card>
    </div>
  );
}
