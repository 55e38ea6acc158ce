"use client";

import { notificationStateLabels } from "@/lib/contracts/notifications";
import type { DeliveryLogEntry, EndpointView } from "@/lib/services/webhookEndpoints";
import { ConfirmDeleteButton } from "../forms/ConfirmDeleteButton";
import type { FormAction } from "../forms/useFormAction";
import { Card } from "../ui/Card";
import { ActionButton } from "../forms/ActionButton";
import { DeliveryTable } from "./DeliveryTable";
import { RotatedSecret } from "./RotatedSecret";

export type EndpointActions = {
  ping: FormAction<null>;
  rotate: FormAction<{ secret: string }>;
  toggle: FormAction<null>;
  remove: FormAction<null>;
  resend: FormAction<null>;
};

/** One outgoing endpoint: what it hears of, its actions, its delivery log. */
export function EndpointCard({ endpoint, deliveries, actions, teamName }: { endpoint: EndpointView; deliveries: DeliveryLogEntry[]; actions: EndpointActions; teamName: string | null }) {
  const id = { id: endpoint.id };
  return (
    <Card
      title={endpoint.description || new URL(endpoint.url).host}
      description={
        <>
          <span className="break-all font-mono">{endpoint.url}</span>
          <span className="block">
            {endpoint.owner === "team" ? `Every run of ${teamName ?? "the team"}` : "Your runs"} · {endpoint.states.map((s) => notificationStateLabels[s].replace(/ \(.*\)$/, "")).join(", ")}
            {!endpoint.enabled && <span className="font-medium text-amber-300"> · turned off</span>}
          </span>
        </>
      }
      actions={
        <ConfirmDeleteButton fields={id} confirm={`Delete the endpoint ${endpoint.url}? Its delivery log goes with it.`} label={`Delete the endpoint ${endpoint.url}`} action={actions.remove} />
      }
    >
      <div className="space-y-4" data-endpoint={endpoint.id}>
        <div className="flex flex-wrap items-start gap-2">
          <ActionButton fields={id} action={actions.ping} label="Send a ping" pendingLabel="Sending…" />
          <ActionButton fields={{ ...id, enabled: endpoint.enabled ? "false" : "true" }} action={actions.toggle} label={endpoint.enabled ? "Turn off" : "Turn on"} pendingLabel="Saving…" />
          <ActionButton
            fields={id}
            action={actions.rotate}
            label="Rotate secret"
            pendingLabel="Rotating…"
            confirm="Make a new secret? Deliveries are signed with it from now on; the receiver must be given it."
          >
            {(data) => <RotatedSecret secret={data.secret} />}
          </ActionButton>
        </div>
        <DeliveryTable endpointId={endpoint.id} deliveries={deliveries} resendAction={actions.resend} />
      </div>
    </Card>
  );
}
