import type { Metadata } from "next";
import Link from "next/link";
import { TemplateEditor } from "@/components/templates/TemplateEditor";
import { Card } from "@/components/ui/Card";
import { EmptyState } from "@/components/ui/EmptyState";
import { PageHeader } from "@/components/ui/PageHeader";
import { linkClass } from "@/components/ui/styles";
import { orNotFound, requirePrincipal } from "@/lib/server/pageAuth";
import { getTemplate, mayManageTemplate } from "@/lib/services/templates";
import { saveTemplateAction } from "../actions";
import { templateFormProps } from "../templateFormProps";

export const metadata: Metadata = { title: "Edit template" };

export default async function EditTemplatePage({ params }: { params: Promise<{ id: string }> }) {
  const { app, principal } = await requirePrincipal();
  const { id } = await params;
  const template = await orNotFound(getTemplate(app, principal, id));
  const props = await templateFormProps(app, principal);
  const settings = { ...template.run, ...(template.repo ? { repo: template.repo } : {}) };
  return (
    <div className="mx-auto max-w-3xl">
      <PageHeader title={`Template: ${template.name}`} description={<Link href="/templates" className={linkClass}>All templates</Link>} />
      {!mayManageTemplate(principal, { teamId: principal.team?.id ?? "", createdBy: template.createdBy }) ? (
        <EmptyState title="Only its author or a team admin changes this template">
          <p>
            You can still <Link href={`/runs/new?template=${template.id}`} className={linkClass}>start a run from it</Link>.
          </p>
        </EmptyState>
      ) : (
        <Card>
          <TemplateEditor
            {...props}
            action={saveTemplateAction}
            submitKey=""
            fromDraft={false}
            template={{ id: template.id, name: template.name, description: template.description, variables: template.variables, settings }}
          />
        </Card>
      )}
    </div>
  );
}
