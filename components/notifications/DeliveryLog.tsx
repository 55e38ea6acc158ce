"use client";

import { useEffect, useState, useTransition } from "react";
import useSWR from "swr";
import { notificationStateLabels, notificationStates, type NotificationState } from "@/lib/contracts/notifications";
import type { ActionResult } from "@/lib/http/action";
import type { DeliveryView } from "@/lib/services/notificationsLog";
import { FormError } from "../forms/FormError";
import { fetchJson } from "../runs/fetchJson";
import { Time } from "../ui/Time";
import { buttonClass, linkClass } from "../ui/styles";

type TestAction = (previous: ActionResult<{ jobId: string }>, form: FormData) => Promise<ActionResult<{ jobId: string }>>;

const KEY = "/api/me/notifications/deliveries";
// How long after "send a test message" the log is read again until the attempt shows up.
const WATCH_MS = 30_000;

/**
 * "Send a test message" and the latest delivery attempts (GET /api/me/notifications/deliveries,
 * through SWR). The log is read again every second only while a test message is on its way,
 * and every 5 s while a message waits for another try; otherwise when the tab regains focus.
 */
export function DeliveryLog({ initial, hasWebhook, testAction }: { initial: DeliveryView[]; hasWebhook: boolean; testAction: TestAction }) {
  const [watching, setWatching] = useState<{ jobId: string } | null>(null);
  const [testError, setTestError] = useState<string | null>(null);
  const [sending, startSending] = useTransition();
  const { data, error } = useSWR(KEY, (url: string) => fetchJson<{ deliveries: DeliveryView[] }>(url).then((r) => r.deliveries), {
    fallbackData: initial,
    refreshInterval: (latest) => {
      const list = latest ?? [];
      if (watching && !list.some((d) => d.jobId === watching.jobId)) return 1_000;
      return retrying(list) ? 5_000 : 0;
    },
  });
  const deliveries = data ?? initial;
  // A test that never shows up (the web's worker is down) stops being watched after a while.
  useEffect(() => {
    if (!watching) return;
    const timer = setTimeout(() => setWatching(null), WATCH_MS);
    return () => clearTimeout(timer);
  }, [watching]);

  const sendTest = () =>
    startSending(async () => {
      setTestError(null);
      const result = await testAction(null, new FormData());
      if (result?.ok) setWatching({ jobId: result.data.jobId });
      else if (result) setTestError(result.error);
    });
  const pendingTest = watching !== null && !deliveries.some((d) => d.jobId === watching.jobId);

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-3">
        <button type="button" data-send-test onClick={sendTest} disabled={!hasWebhook || sending} className={buttonClass("secondary")}>
          {sending ? "Sending…" : "Send a test message"}
        </button>
        {!hasWebhook && <span className="text-sm text-zinc-500">Save a webhook URL first.</span>}
        {pendingTest && (
          <span role="status" className="text-sm text-zinc-400">
            Test message queued; its outcome appears below.
          </span>
        )}
      </div>
      <FormError message={testError} />
      {error && <p className="text-sm text-amber-300">Could not refresh the log: {(error as Error).message}</p>}
      {deliveries.length === 0 ? (
        <p className="text-sm text-zinc-500">No messages sent yet.</p>
      ) : (
        <ul className="divide-y divide-zinc-800" data-delivery-log>
          {deliveries.map((d) => (
            <li key={d.id} data-delivery={d.ok ? "delivered" : d.willRetry ? "retrying" : "failed"} className="flex flex-wrap items-baseline gap-x-3 gap-y-1 py-2.5 text-sm">
              <Outcome delivery={d} />
              <span className="min-w-0 flex-1 truncate text-zinc-300">
                {d.subject === "test" ? (
                  "Test message"
                ) : (
                  <>
                    {subjectLabel(d.subject)}
                    {d.runId && (
                      <>
                        {": "}
                        <a href={`/runs/${d.runId}`} className={linkClass}>
                          {d.runTitle ?? d.runId}
                        </a>
                      </>
                    )}
                  </>
                )}
              </span>
              <span className="text-xs text-zinc-500">
                {d.attempt > 1 ? `attempt ${d.attempt} · ` : ""}
                <Time iso={d.at} />
              </span>
              {!d.ok && d.error && <p className="w-full truncate font-mono text-xs text-zinc-500" title={d.error}>{d.error}</p>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function Outcome({ delivery: d }: { delivery: DeliveryView }) {
  if (d.ok) return <span className="font-medium text-emerald-400">Delivered{d.httpStatus ? ` (${d.httpStatus})` : ""}</span>;
  const what = d.httpStatus ? `Failed (${d.httpStatus})` : "Failed";
  return <span className={d.willRetry ? "font-medium text-amber-300" : "font-medium text-red-400"}>{d.willRetry ? `${what}, will retry` : what}</span>;
}

const subjectLabel = (subject: string) =>
  (notificationStates as readonly string[]).includes(subject) ? notificationStateLabels[subject as NotificationState].replace(/ \(.*\)$/, "") : subject;

/** Whether some message's latest attempt failed and another is due. */
function retrying(list: DeliveryView[]): boolean {
  const latestByJob = new Map<string, DeliveryView>();
  for (const d of list) if (!latestByJob.has(d.jobId)) latestByJob.set(d.jobId, d);
  return [...latestByJob.values()].some((d) => d.willRetry);
}
