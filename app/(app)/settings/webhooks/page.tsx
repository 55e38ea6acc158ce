import type { Metadata } from "next";
import { Card } from "@/components/ui/Card";
import { EmptyState } from "@/components/ui/EmptyState";
import { PageHeader } from "@/components/ui/PageHeader";
import { CreateEndpointForm } from "@/components/webhooks/CreateEndpointForm";
import { EndpointCard } from "@/components/webhooks/EndpointCard";
import { SigningHelp } from "@/components/webhooks/SigningHelp";
import { requirePrincipal } from "@/lib/server/pageAuth";
import { activeTeamAllows, teamById } from "@/lib/services/teams";
import { listEndpointDeliveries, listEndpoints } from "@/lib/services/webhookEndpoints";
import {
  createEndpointAction,
  deleteEndpointAction,
  pingEndpointAction,
  resendDeliveryAction,
  rotateEndpointAction,
  toggleEndpointAction,
} from "./actions";

export const metadata: Metadata = { title: "Webhooks" };

const actions = { ping: pingEndpointAction, rotate: rotateEndpointAction, toggle: toggleEndpointAction, remove: deleteEndpointAction, resend: resendDeliveryAction };

/** Outgoing webhooks: the person's own endpoints, and the team's for its admins, each with its delivery log. */
export default async function WebhooksPage() {
  const { app, principal } = await requirePrincipal();
  const endpoints = await listEndpoints(app, principal);
  const [team, logs] = await Promise.all([
    principal.team && activeTeamAllows(principal, "manage") ? teamById(app, principal.team.id) : null,
    Promise.all(endpoints.map((e) => listEndpointDeliveries(app, principal, e.id, 10))),
  ]);
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <PageHeader
        title="Webhooks"
        description="Signed JSON deliveries of run events to your own services: a run waiting for input, ready for review, failed or pushed. Failed deliveries are tried again with backoff; each can be sent again."
      />
      <Card title="Add an endpoint">
        <CreateEndpointForm action={createEndpointAction} teamName={team?.name ?? null} />
      </Card>
      <SigningHelp />
      {endpoints.length === 0 ? (
        <EmptyState title="No endpoints yet">Add one above; its deliveries and their answers are listed here.</EmptyState>
      ) : (
        endpoints.map((e, i) => <EndpointCard key={e.id} endpoint={e} deliveries={logs[i] ?? []} actions={actions} teamName={team?.name ?? null} />)
      )}
    </div>
  );
}
