import type { Metadata } from "next";
import Link from "next/link";
import { createRunAction } from "./actions";
import { startFromTemplateAction } from "../../templates/actions";
import { NewRunForm } from "@/components/runs/NewRunForm";
import { TemplatePicker } from "@/components/templates/TemplatePicker";
import { TemplateRunForm } from "@/components/templates/TemplateRunForm";
import { Card } from "@/components/ui/Card";
import { EmptyState } from "@/components/ui/EmptyState";
import { PageHeader } from "@/components/ui/PageHeader";
import { linkClass, noticeClass } from "@/components/ui/styles";
import { AppError, QUEUE_UNREACHABLE } from "@/lib/errors";
import { sandboxOffReason } from "@/lib/sandboxStatus";
import { liveWorkers } from "@/lib/workerDirectory";
import { requirePrincipal } from "@/lib/server/pageAuth";
import { isAdmin } from "@/lib/services/principal";
import { executorChoices, type ExecutorChoices } from "@/lib/services/executorChoice";
import { listRepos } from "@/lib/services/repos";
import { newRunFormOptions } from "@/lib/services/newRunForm";
import { getTemplate, listTemplates, mayManageTemplate, type TemplateView } from "@/lib/services/templates";

export const metadata: Metadata = { title: "New run" };

/**
 * While Redis does not answer, the job processes' adverts cannot be read: that is not "no job
 * process is running" (one may well be), so every executor's note says what is really wrong.
 */
function whileQueueUnreachable(choices: ExecutorChoices): ExecutorChoices {
  const why = `${QUEUE_UNREACHABLE.toLowerCase()}, so which job processes run cannot be checked`;
  return {
    executors: choices.executors.map((e) =>
      e.available
        ? { ...e, note: e.note ? `${QUEUE_UNREACHABLE}: the run cannot be queued until it is back.` : undefined }
        : { ...e, unavailableReason: `${e.label} is not available: ${why}` },
    ),
    acpAgents: choices.acpAgents.map((a) => (a.available ? a : { ...a, unavailableReason: `ACP agent ${a.name} is not available: ${why}` })),
  };
}

/** `?template=<id>`: the team's template to start from, or why it cannot be used. */
async function chosenTemplate(app: Parameters<typeof getTemplate>[0], principal: Parameters<typeof getTemplate>[1], id: string | undefined) {
  if (!id) return { template: null, templateError: null };
  try {
    return { template: await getTemplate(app, principal, id), templateError: null };
  } catch (err) {
    if (err instanceof AppError && err.code === "not_found") return { template: null, templateError: "That template was not found in your team; the form starts blank." };
    throw err;
  }
}

export default async function NewRunPage({ searchParams }: { searchParams: Promise<{ from?: string | string[]; template?: string | string[] }> }) {
  const { app, principal } = await requirePrincipal();
  // Duplicate (/runs/new?from=<id>): the run's settings, read with the API's visibility check.
  const { from, template: templateId } = await searchParams;
  const formOptions = await newRunFormOptions(app, principal, typeof from === "string" ? from : undefined);
  const [templates, { template, templateError }] = await Promise.all([
    listTemplates(app, principal),
    chosenTemplate(app, principal, typeof templateId === "string" ? templateId : undefined),
  ]);
  const [repos, workers] = await Promise.all([
    listRepos(app, principal),
    liveWorkers(app.redis, app.config.redisPrefix).catch((e: unknown) => {
      // The form still renders, saying why a run cannot start; submitting answers 503 meanwhile.
      console.error("[runs/new] could not read job process adverts:", (e as Error).message);
      return null;
    }),
  ]);
  const queueDown = workers === null;
  const unsandboxed = sandboxOffReason(app.config, workers ?? []);
  const checked = await executorChoices(app, workers ?? []);
  const choices = queueDown ? whileQueueUnreachable(checked) : checked;
  return (
    <div className="mx-auto max-w-3xl">
      <PageHeader title="New run" description="Runs in the background on a fresh branch. You review the diff before anything is pushed." />
      {queueDown && (
        <p role="alert" data-testid="queue-unreachable" className={`mb-4 ${noticeClass("warning")}`}>
          {QUEUE_UNREACHABLE} right now, so no run can start. Job processes may still be running; runs go ahead once
          the web can reach Redis again.{isAdmin(principal) ? " Check that Redis is up and that REDIS_URL points to it." : ""}
        </p>
      )}
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
        <>
          {templates.length > 0 && <TemplatePicker templates={templates.map((t: TemplateView) => ({ id: t.id, name: t.name }))} current={template?.id ?? null} />}
          {templateError && (
            <p role="status" className={`mb-4 ${noticeClass("warning")}`}>
              {templateError}
            </p>
          )}
          {template ? (
            <Card title={`From the template “${template.name}”`}>
              <TemplateRunForm
                template={template}
                action={startFromTemplateAction}
                submitKey={crypto.randomUUID()}
                mayEdit={mayManageTemplate(principal, { teamId: principal.team?.id ?? "", createdBy: template.createdBy })}
              />
            </Card>
          ) : (
            <Card>
              <NewRunForm
                action={createRunAction}
                repos={repos.map((r) => ({ name: r.name, defaultBranch: r.defaultBranch }))}
                executors={choices.executors}
                acpAgents={choices.acpAgents}
                maxTimeoutSec={app.config.runTimeoutMaxSec}
                submitKey={crypto.randomUUID()}
                {...formOptions}
              />
            </Card>
          )}
        </>
      )}
    </div>
  );
}
