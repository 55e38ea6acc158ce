import type { Metadata } from "next";
import { ScheduleForm } from "@/components/schedules/ScheduleForm";
import { ScheduleList } from "@/components/schedules/ScheduleList";
import { Card } from "@/components/ui/Card";
import { PageHeader } from "@/components/ui/PageHeader";
import { SCHEDULE_PARAM } from "@/lib/scheduleLink";
import { requirePrincipal } from "@/lib/server/pageAuth";
import { activeTeamAllows } from "@/lib/services/teams";
import { executorChoices } from "@/lib/services/executorChoice";
import { listRepos } from "@/lib/services/repos";
import { listSchedules, mayManageSchedule } from "@/lib/services/schedules";
import { listTemplates } from "@/lib/services/templates";
import { createScheduleAction, deleteScheduleAction, setScheduleEnabledAction } from "./actions";

export const metadata: Metadata = { title: "Schedules" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/** `?schedule=<id>`: the schedule a run's link points to, marked in the list (lib/scheduleLink.ts). */
export default async function SchedulesPage({ searchParams }: Props) {
  const { app, principal } = await requirePrincipal();
  const highlight = (await searchParams)[SCHEDULE_PARAM];
  const [schedules, repos, templates] = await Promise.all([listSchedules(app, principal), listRepos(app, principal), listTemplates(app, principal)]);
  const choices = await executorChoices(app).catch((e: unknown) => {
    // The form still renders (only shell commands offered); saving answers 503 while the queue is unreachable.
    console.error("[schedules] could not read job process adverts:", (e as Error).message);
    return executorChoices(app, []);
  });
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <PageHeader title="Schedules" description="Runs started on a cron pattern, as you, from a saved task. Each one still waits for your review." />
      <Card title="The team's schedules">
        <ScheduleList
          schedules={schedules}
          showOwner
          manageable={new Set(schedules.filter((s) => principal.team && mayManageSchedule(principal, { teamId: principal.team.id, userId: s.userId })).map((s) => s.id))}
          toggle={setScheduleEnabledAction}
          remove={deleteScheduleAction}
          highlight={typeof highlight === "string" ? highlight : undefined}
        />
      </Card>
      <Card title="New schedule">
        {!activeTeamAllows(principal, "manageOwnSchedules") ? (
          <p className="text-sm text-zinc-400">As a viewer you read the team&apos;s schedules; members and admins create them.</p>
        ) : repos.length ? (
          <ScheduleForm
            action={createScheduleAction}
            repos={repos.map((r) => r.name)}
            executors={choices.executors}
            acpAgents={choices.acpAgents}
            templates={templates.filter((t) => t.repo !== null).map((t) => ({ id: t.id, name: t.name, variables: t.variables }))}
          />
        ) : (
          <p className="text-sm text-zinc-400">No repository is registered yet; a team admin has to add one first.</p>
        )}
      </Card>
    </div>
  );
}
