import type { Metadata } from "next";
import Link from "next/link";
import { TemplateEditor } from "@/components/templates/TemplateEditor";
import { DRAFT_PARAM } from "@/components/templates/templateDraft";
import { Card } from "@/components/ui/Card";
import { EmptyState } from "@/components/ui/EmptyState";
import { PageHeader } from "@/components/ui/PageHeader";
import { linkClass } from "@/components/ui/styles";
import { requirePrincipal } from "@/lib/server/pageAuth";
import { activeTeamAllows } from "@/lib/services/teams";
import { saveTemplateAction } from "../actions";
import { templateFormProps } from "../templateFormProps";

export const metadata: Metadata = { title: "New template" };

export default async function NewTemplatePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { app, principal } = await requirePrincipal();
  const fromDraft = (await searchParams)[DRAFT_PARAM] === "1";
  const props = await templateFormProps(app, principal);
  return (
    <div className="mx-auto max-w-3xl">
      <PageHeader title="New template" description={<>Run settings the team can start again, with <code className="font-mono">{"{{variables}}"}</code> filled in each time.</>} />
      {!activeTeamAllows(principal, "manageOwnTemplates") ? (
        <EmptyState title="Viewers do not make templates">
          <p>
            Members and admins of the team do. <Link href="/templates" className={linkClass}>See the team&apos;s templates</Link>.
          </p>
        </EmptyState>
      ) : props.repos.length === 0 ? (
        <EmptyState title="No repository yet">
          <p>A team admin has to register a repository before a template can name one.</p>
        </EmptyState>
      ) : (
        <Card>
          <TemplateEditor
            {...props}
            action={saveTemplateAction}
            submitKey=""
            fromDraft={fromDraft}
            template={{ name: "", description: "", variables: [], settings: null }}
          />
        </Card>
      )}
    </div>
  );
}
