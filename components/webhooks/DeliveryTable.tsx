"use client";

import { useEffect } from "react";
import useSWR from "swr";
import type { DeliveryLogEntry } from "@/lib/services/webhookEndpoints";
import type { FormAction } from "../forms/useFormAction";
import { fetchJson } from "../runs/fetchJson";
import { cx } from "../ui/cx";
import { Time } from "../ui/Time";
import { ActionButton } from "../forms/ActionButton";

const statusLook = {
  delivered: "text-emerald-300",
  pending: "text-amber-300",
  failed: "text-red-300",
} as const;

// While a delivery is on its way or waits for another try, the log is read again this often.
const PENDING_REFRESH_MS = 2_000;

/**
 * An endpoint's deliveries, newest first: event, status, attempts with the last answer, Resend.
 * The page renders the log; while any delivery is pending it is read again through SWR
 * (GET /api/webhooks/endpoints/:id/deliveries), so a ping, a resend or a retry shows its outcome
 * without a reload; otherwise when the tab regains focus.
 */
export function DeliveryTable({ endpointId, deliveries, resendAction }: { endpointId: string; deliveries: DeliveryLogEntry[]; resendAction: FormAction<null> }) {
  const { data, mutate } = useSWR(
    `/api/webhooks/endpoints/${encodeURIComponent(endpointId)}/deliveries`,
    (url: string) => fetchJson<{ deliveries: DeliveryLogEntry[] }>(url).then((r) => r.deliveries),
    { fallbackData: deliveries, refreshInterval: (latest) => ((latest ?? []).some((d) => d.status === "pending") ? PENDING_REFRESH_MS : 0) },
  );
  // A server action (ping, resend) renders the page again with a newer log: it replaces ours.
  useEffect(() => {
    void mutate(deliveries, { revalidate: false });
  }, [deliveries, mutate]);
  const shown = data ?? deliveries;

  if (shown.length === 0) return <p className="text-sm text-zinc-500">No deliveries yet. Send a ping to check the endpoint.</p>;
  return (
    <ul className="divide-y divide-zinc-800 rounded-lg border border-zinc-800" data-delivery-log>
      {shown.map((d) => (
        <li key={d.id} className="flex flex-col gap-2 px-3 py-2.5 text-sm sm:flex-row sm:items-center" data-delivery={d.id} data-delivery-status={d.status}>
          <div className="min-w-0 flex-1 space-y-0.5">
            <p className="flex flex-wrap items-baseline gap-x-2">
              <span className="font-mono text-zinc-200">{d.eventType}</span>
              <span className={cx("font-medium", statusLook[d.status])}>{d.status === "pending" && d.attempts > 0 ? "retrying" : d.status}</span>
              <span className="text-zinc-500">
                {d.attempts} {d.attempts === 1 ? "attempt" : "attempts"}
                {d.httpStatus !== null && ` · HTTP ${d.httpStatus}`}
              </span>
              {d.resendOf && <span className="text-zinc-500">· resent</span>}
            </p>
            {d.error && <p className="break-words text-xs text-red-300">{d.error}</p>}
            <p className="text-xs text-zinc-500">
              <Time iso={d.createdAt} />
              {d.nextRetryAt && (
                <>
                  {" "}
                  · next try <Time iso={d.nextRetryAt} />
                </>
              )}
              <span className="font-mono"> · {d.eventId}</span>
            </p>
          </div>
          {d.eventType !== "ping" && (
            <ActionButton fields={{ id: endpointId, deliveryId: d.id }} action={resendAction} label="Resend" pendingLabel="Resending…" />
          )}
        </li>
      ))}
    </ul>
  );
}
