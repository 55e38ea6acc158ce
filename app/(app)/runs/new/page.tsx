import type { Metadata } from "next";
import Link from "next/link";
import { createRunAction } from "./actions";
import { NewRunForm } from "@/components/runs/NewRunForm";
import { Card } from "@/components/ui/Card";
import { EmptyState } from "@/components/ui/EmptyState";
import { PageHeader } from "@/components/ui/PageHeader";
import { linkClass } from "@/components/ui/styles";
import { sandboxOffReason } from "@/lib/sandboxStatus";
import { liveWorkers } from "@/lib/workerDirectory";
import { requirePrincipal } from "@/lib/server/pageAuth";
import { isAdmin } from "@/lib/services/principal";
import { executorChoices } from "@/lib/services/executorChoice";
import { listRepos } from "@/lib/services/repos";

export const metadata: Metadata = { title: "New run" };

export default async function NewRunPage() {
  const { app, principal } = await requirePrincipal();
  const [repos, workers] = await Promise.all([listRepos(app), liveWorkers(app.redis, app.config.redisPrefix).catch((e: unknown) => {
      // The form still renders; submitting answers 503 while the queue is unreachable.
      console.error("[runs/new] could not read job process adverts:", (e as Error).message);
      return [];
    }),
  ]);
  const unsandboxed = sandboxOffReason(app.config, workers);
  const choices = await executorChoices(app, workers);
  return (
    <div className="mx-auto max-w-3xl">
      <PageHeader title="New run" description="Runs in the background on a fresh branch. You review the diff before anything is pushed." />
      {unsandboxed && !isAdmin(principal) ? (
        <EmptyState title="Only admins may start runs now">
          <p data-testid="runs-admin-only">
            Runs cannot start without the sandbox for anyone but an admin: {unsandboxed}. Ask your admin to enable it.
          </p>
        </EmptyState>
      ) : repos.length === 0 ? (
        <EmptyState title="No repository to run on">
          {isAdmin(principal) ? (
            <p>
              <Link href="/repos" className={linkClass}>Register a repository</Link> first; then come back here.
            </p>
          ) : (
            <p>An admin has to register a repository before runs can start. Ask yours to add one.</p>
          )}
        </EmptyState>
      ) : (
        <Card>
          <NewRunForm
            action={createRunAction}
            repos={repos.map((r) => ({ name: r.name, defaultBranch: r.defaultBranch }))}
            executors={choices.executors}
            acpAgents={choices.acpAgents}
            maxTimeoutSec={app.config.runTimeoutMaxSec}
            submitKey={crypto.randomUUID()}
          />
        </Card>
      )}
    </div>
  );
}
