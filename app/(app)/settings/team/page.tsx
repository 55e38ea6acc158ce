import type { Metadata } from "next";
import Link from "next/link";
import { MemberList } from "@/components/teams/MemberList";
import { NoTeam } from "@/components/teams/NoTeam";
import { RenameTeamForm } from "@/components/teams/RenameTeamForm";
import { Card } from "@/components/ui/Card";
import { PageHeader } from "@/components/ui/PageHeader";
import { linkClass } from "@/components/ui/styles";
import { requirePrincipal } from "@/lib/server/pageAuth";
import { isAdmin } from "@/lib/services/principal";
import { activeTeamAllows, listMembers, teamById } from "@/lib/services/teams";
import { aRole, rolesManageableBy } from "@/lib/teamRoles";
import { changeMemberRoleAction, removeMemberAction, renameTeamAction } from "./actions";

export const metadata: Metadata = { title: "Team" };

const roleWords = {
  owner: "You manage everything in this team, its admins and owners included.",
  admin: "You act on every run of the team and manage its repositories, rules, schedules and members (not admins or owners).",
  member: "You start runs and act on your own; you read everyone's.",
  viewer: "You read the team's runs, diffs and logs; you cannot start or act on runs.",
} as const;

/** The active team: its members and roles for everyone in it; managing them for its admins and owners. */
export default async function TeamPage() {
  const { app, principal } = await requirePrincipal();
  if (!principal.team) return <NoTeam instanceAdmin={isAdmin(principal)} />;
  const [team, members] = await Promise.all([teamById(app, principal.team.id), listMembers(app, principal, principal.team.id)]);
  const manageable = activeTeamAllows(principal, "manageMembers") ? rolesManageableBy(principal.team.role) : [];
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <PageHeader
        title={team?.name ?? "Team"}
        description={
          <>
            You are {aRole(principal.team.role).split(" ")[0]} <strong className="text-zinc-200">{principal.team.role}</strong> here. {roleWords[principal.team.role]}
          </>
        }
      />
      {activeTeamAllows(principal, "manageTeam") && team && (
        <Card title="Name">
          <RenameTeamForm name={team.name} action={renameTeamAction} />
        </Card>
      )}
      <Card
        title="Members"
        description={manageable.length ? "Change a role or remove someone; the change applies to their next request, and their open pages reconnect." : "Who is in this team. Its admins manage the list."}
        actions={
          manageable.length ? (
            <Link href="/settings/invitations" className={linkClass}>
              Invite someone
            </Link>
          ) : undefined
        }
      >
        <MemberList
          members={members}
          me={principal.userId}
          manageable={manageable}
          changeRole={changeMemberRoleAction}
          remove={removeMemberAction}
        />
      </Card>
    </div>
  );
}
