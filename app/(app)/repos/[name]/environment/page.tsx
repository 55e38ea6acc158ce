import type { Metadata } from "next";
import Link from "next/link";
import { EnvironmentForm } from "@/components/environments/EnvironmentForm";
import { EnvironmentHelp } from "@/components/environments/EnvironmentHelp";
import { EnvironmentSummary } from "@/components/environments/EnvironmentSummary";
import { ConfirmDeleteButton } from "@/components/forms/ConfirmDeleteButton";
import { Card } from "@/components/ui/Card";
import { PageHeader } from "@/components/ui/PageHeader";
import { Time } from "@/components/ui/Time";
import { orNotFound, requirePrincipal } from "@/lib/server/pageAuth";
import { getEnvironment } from "@/lib/services/environments";
import { activeTeamAllows } from "@/lib/services/teams";
import { removeEnvironmentAction, saveEnvironmentAction } from "./actions";

type Params = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  return { title: `Environment of ${(await params).name}` };
}

/** A repository's environment: admins edit it; everyone else may read it (names only, never a value). */
export default async function EnvironmentPage({ params }: Params) {
  const { name } = await params;
  const { app, principal } = await requirePrincipal();
  const view = await orNotFound(getEnvironment(app, principal, name));
  const admin = activeTeamAllows(principal, "manage");
  return (
    <div className="mx-auto max-w-4xl space-y-6">
      <Link href={admin ? "/repos" : "/"} className="inline-block text-sm text-zinc-400 hover:text-zinc-200">
        {admin ? "← Repositories" : "← All runs"}
      </Link>
      <PageHeader
        title={
          <>
            Environment of <span className="font-mono">{view.repo}</span>
          </>
        }
        description="What runs once in each run's sandbox before the agent starts, so it begins with the project's dependencies installed."
        actions={
          admin &&
          view.environment && (
            <ConfirmDeleteButton
              fields={{ repo: view.repo }}
              confirm={`Remove the environment of ${view.repo}? Later runs start without it (or with the repository's .agentdesk/environment.json). Runs already queued keep it.`}
              label={`Delete the environment of ${view.repo}`}
              action={removeEnvironmentAction}
            />
          )
        }
      />
      <EnvironmentHelp />
      <Card
        title={admin ? "Settings" : "Settings (set by an admin)"}
        actions={
          view.updatedAt && (
            <span className="text-xs text-zinc-500" data-testid="environment-saved">
              Saved by {view.updatedBy ?? "a removed user"} <Time iso={view.updatedAt} />
            </span>
          )
        }
      >
        {admin ? (
          <EnvironmentForm repo={view.repo} spec={view.environment} action={saveEnvironmentAction} />
        ) : view.environment ? (
          <EnvironmentSummary spec={view.environment} />
        ) : (
          <p className="text-sm text-zinc-400" data-testid="no-environment">
            No environment is set: runs start in a bare checkout, unless the repository keeps a setup in its own .agentdesk/environment.json.
          </p>
        )}
      </Card>
    </div>
  );
}
