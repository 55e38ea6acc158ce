"use client";

import type { InboundDeliveryView, InboundWebhookView } from "@/lib/services/inboundWebhooks";
import { ConfirmDeleteButton } from "../forms/ConfirmDeleteButton";
import type { FormAction } from "../forms/useFormAction";
import { Card } from "../ui/Card";
import { CopyButton } from "../ui/CopyButton";
import { cx } from "../ui/cx";
import { Time } from "../ui/Time";
import { linkClass } from "../ui/styles";
import { ActionButton } from "../forms/ActionButton";
import { RotatedSecret } from "./RotatedSecret";

export type InboundActions = { rotate: FormAction<{ secret: string }>; toggle: FormAction<null>; remove: FormAction<null> };

const outcomeLook = { started: "text-emerald-300", ignored: "text-zinc-400", failed: "text-red-300", received: "text-amber-300" } as const;

function rulesText(w: InboundWebhookView): string {
  if (!w.rules) return "rules no longer valid: save them again";
  const parts = [w.rules.issueLabel && `an issue labelled “${w.rules.issueLabel}”`, w.rules.mention && `a comment mentioning ${w.rules.mention}`, w.rules.direct && "a direct signed call"];
  return `Starts a run on ${parts.filter(Boolean).join(", or ")}`;
}

/** One incoming webhook: URL, template, rules, actions, recent deliveries. */
export function InboundCard({ webhook, deliveries, actions }: { webhook: InboundWebhookView; deliveries: InboundDeliveryView[]; actions: InboundActions }) {
  const fields = { repo: webhook.repo, id: webhook.id };
  return (
    <Card
      title={webhook.templateName ? `From template “${webhook.templateName}”` : "Its template was deleted"}
      description={
        <>
          {rulesText(webhook)}
          {!webhook.enabled && <span className="font-medium text-amber-300"> · turned off</span>}
        </>
      }
      actions={<ConfirmDeleteButton fields={fields} confirm="Delete this incoming webhook? Senders using its URL are refused from now on." label="Delete the incoming webhook" action={actions.remove} />}
    >
      <div className="space-y-4" data-inbound={webhook.id}>
        <div className="flex items-center gap-2">
          <code className="min-w-0 flex-1 truncate rounded-md bg-black px-3 py-2 font-mono text-xs text-zinc-200 ring-1 ring-zinc-800">{webhook.url}</code>
          <CopyButton value={webhook.url} />
        </div>
        <div className="flex flex-wrap items-start gap-2">
          <ActionButton fields={{ ...fields, enabled: webhook.enabled ? "false" : "true" }} action={actions.toggle} label={webhook.enabled ? "Turn off" : "Turn on"} pendingLabel="Saving…" />
          <ActionButton fields={fields} action={actions.rotate} label="Rotate secret" pendingLabel="Rotating…" confirm="Make a new secret? Deliveries signed with the old one are refused from now on.">
            {(data) => <RotatedSecret secret={data.secret} />}
          </ActionButton>
        </div>
        {deliveries.length === 0 ? (
          <p className="text-sm text-zinc-500">No deliveries yet.</p>
        ) : (
          <ul className="divide-y divide-zinc-800 rounded-lg border border-zinc-800" data-inbound-log>
            {deliveries.map((d) => (
              <li key={d.id} className="space-y-0.5 px-3 py-2.5 text-sm">
                <p className="flex flex-wrap items-baseline gap-x-2">
                  <span className="font-mono text-zinc-200">{d.event}</span>
                  <span className={cx("font-medium", outcomeLook[d.outcome])}>{d.outcome}</span>
                  {d.runId && (
                    <a href={`/runs/${d.runId}`} className={linkClass}>
                      the run
                    </a>
                  )}
                </p>
                {d.detail && <p className="break-words text-xs text-zinc-400">{d.detail}</p>}
                <p className="text-xs text-zinc-500">
                  <Time iso={d.receivedAt} /> · <span className="font-mono">{d.deliveryId}</span>
                </p>
              </li>
            ))}
          </ul>
        )}
      </div>
    </Card>
  );
}
