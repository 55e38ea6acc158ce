import type { Metadata } from "next";
import Link from "next/link";
import { TemplateList } from "@/components/templates/TemplateList";
import { Card } from "@/components/ui/Card";
import { EmptyState } from "@/components/ui/EmptyState";
import { PageHeader } from "@/components/ui/PageHeader";
import { buttonClass } from "@/components/ui/styles";
import { requirePrincipal } from "@/lib/server/pageAuth";
import { activeTeamAllows } from "@/lib/services/teams";
import { listTemplates, mayManageTemplate } from "@/lib/services/templates";
import { deleteTemplateAction } from "./actions";

export const metadata: Metadata = { title: "Templates" };

export default async function TemplatesPage() {
  const { app, principal } = await requirePrincipal();
  const templates = await listTemplates(app, principal);
  const mayCreate = activeTeamAllows(principal, "manageOwnTemplates");
  const manageable = new Set(templates.filter((t) => mayManageTemplate(principal, { teamId: principal.team?.id ?? "", createdBy: t.createdBy })).map((t) => t.id));
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <PageHeader
        title="Templates"
        description="Saved run settings for the team, with {{variables}} in the task. Start runs from them here, on a schedule, or from an incoming webhook."
        actions={
          mayCreate && (
            <Link href="/templates/new" className={buttonClass("primary")}>
              New template
            </Link>
          )
        }
      />
      {templates.length === 0 ? (
        <EmptyState title="No templates yet">
          {mayCreate ? (
            <p>
              Make one with <strong>New template</strong>, or fill in the New run form and choose <strong>Save as template</strong>.
            </p>
          ) : (
            <p>Members and admins of the team make templates; you will see them here.</p>
          )}
        </EmptyState>
      ) : (
        <Card title="The team's templates">
          <TemplateList templates={templates} manageable={manageable} remove={deleteTemplateAction} mayStart={activeTeamAllows(principal, "createRun")} />
        </Card>
      )}
    </div>
  );
}
