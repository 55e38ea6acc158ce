import type { Metadata } from "next";
import { AdminNav } from "@/components/admin/AdminNav";
import { AdminsOnly } from "@/components/AdminsOnly";
import { CreateTeamForm } from "@/components/teams/CreateTeamForm";
import { Card } from "@/components/ui/Card";
import { PageHeader } from "@/components/ui/PageHeader";
import { Time } from "@/components/ui/Time";
import { requireAdmin } from "@/lib/server/pageAuth";
import { listTeams } from "@/lib/services/teams";
import { listUsers } from "@/lib/services/users";
import { countOf } from "@/lib/plural";
import { createTeamAction } from "./actions";

export const metadata: Metadata = { title: "Teams" };

/** Instance admins: every team with its owners, and a new team with its first owner. */
export default async function TeamsPage() {
  const ctx = await requireAdmin();
  if (!ctx) return <AdminsOnly what="The list of teams" />;
  const [teams, users] = await Promise.all([listTeams(ctx.app, ctx.principal), listUsers(ctx.app, ctx.principal)]);
  return (
    <div className="space-y-6">
      <PageHeader
        title="Teams"
        description="Repositories, runs and schedules belong to a team; its members reach them by their role. You create a team and choose its first owner; the owner invites the rest. Being an instance admin gives no access to a team you are not in."
      />
      <AdminNav current="/admin/teams" />
      <Card title="Teams">
        <ul data-testid="team-list" className="divide-y divide-zinc-800">
          {teams.map((t) => (
            <li key={t.id} data-team={t.slug} className="flex flex-wrap items-center justify-between gap-3 py-3 first:pt-0 last:pb-0">
              <div className="min-w-0">
                <p className="text-sm font-medium text-zinc-100">
                  {t.name} <span className="font-mono text-xs text-zinc-500">{t.slug}</span>
                </p>
                <p className="text-xs text-zinc-500">
                  {countOf(t.members, "member")} · created <Time iso={t.createdAt.toISOString()} />
                </p>
              </div>
              <p className="text-xs text-zinc-400">{t.owners.length ? `Owned by ${t.owners.join(", ")}` : "No owner yet: the first account to sign up owns it"}</p>
            </li>
          ))}
        </ul>
      </Card>
      <Card title="Create a team">
        <CreateTeamForm accounts={users.filter((u) => !u.disabledAt).map((u) => ({ email: u.email, name: u.name }))} action={createTeamAction} />
      </Card>
    </div>
  );
}
