import type { Metadata } from "next";
import Link from "next/link";
import { Card } from "@/components/ui/Card";
import { EmptyState } from "@/components/ui/EmptyState";
import { PageHeader } from "@/components/ui/PageHeader";
import { linkClass } from "@/components/ui/styles";
import { CreateInboundForm } from "@/components/webhooks/CreateInboundForm";
import { InboundCard } from "@/components/webhooks/InboundCard";
import { orNotFound, requirePrincipal } from "@/lib/server/pageAuth";
import { listInboundDeliveries, listInboundWebhooks } from "@/lib/services/inboundWebhooks";
import { listTemplates } from "@/lib/services/templates";
import { createInboundAction, deleteInboundAction, rotateInboundAction, toggleInboundAction } from "./actions";

type Params = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  return { title: `Incoming webhooks of ${(await params).name}` };
}

const actions = { rotate: rotateInboundAction, toggle: toggleInboundAction, remove: deleteInboundAction };

/** A repository's incoming webhooks (team admins): make one, see what each received. */
export default async function RepoWebhooksPage({ params }: Params) {
  const { name } = await params;
  const { app, principal } = await requirePrincipal();
  const webhooks = await orNotFound(listInboundWebhooks(app, principal, name));
  const [templates, logs] = await Promise.all([
    listTemplates(app, principal),
    Promise.all(webhooks.map((w) => listInboundDeliveries(app, principal, name, w.id, 10))),
  ]);
  const usable = templates.filter((t) => t.repo === name).map((t) => ({ id: t.id, name: t.name }));
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <Link href="/repos" className="inline-block text-sm text-zinc-400 hover:text-zinc-200">
        ← Repositories
      </Link>
      <PageHeader
        title={
          <>
            Incoming webhooks of <span className="font-mono">{name}</span>
          </>
        }
        description="A URL with a secret that starts a run from a template: a GitHub issue labelled, a comment mentioning AgentDesk, or your own signed call. Each delivery id starts at most one run; the runs are yours."
      />
      <Card title="New incoming webhook">
        {usable.length === 0 ? (
          <p className="text-sm text-zinc-400">
            Make a run template for {name} first (<Link href="/templates" className={linkClass}>Templates</Link>): its prompt says what to do with the issue.
          </p>
        ) : (
          <CreateInboundForm repo={name} templates={usable} action={createInboundAction} />
        )}
      </Card>
      {webhooks.length === 0 ? (
        <EmptyState title="No incoming webhooks">Once made, each one lists the deliveries it received and what came of them.</EmptyState>
      ) : (
        webhooks.map((w, i) => <InboundCard key={w.id} webhook={w} deliveries={logs[i] ?? []} actions={actions} />)
      )}
    </div>
  );
}
