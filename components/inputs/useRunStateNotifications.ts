"use client";

import { useRouter } from "next/navigation";
import { useRef } from "react";
import type { RunStatus } from "@/lib/contracts/runLifecycle";
import type { RunView } from "@/lib/services/runs";
import { useLiveChannel } from "../live/useLiveChannel";
import { fetchJson } from "../runs/fetchJson";
import { notifyRunState, type RunStateNotice } from "./notify";

const stateOf = (status: RunStatus): RunStateNotice["state"] | null =>
  status === "awaiting_review" ? "review" : status === "failed" ? "failed" : null;

/**
 * Browser notifications for the user's own runs reaching a state they act on: ready for review
 * and failed (approvals and questions: InboxCount). Only their own runs: an admin's channel
 * carries everyone's, but the person who started a run is the one who reviews it. Once per
 * arrival: the channel may repeat a change, so a run is announced again only after it was seen
 * in another status (a new round of review after request changes). Not when this tab shows
 * that run in front of the person: the page already says so.
 */
export function useRunStateNotifications(userId: string): void {
  const router = useRouter();
  // The last status this tab saw each run in, from the channel.
  const lastStatus = useRef(new Map<string, RunStatus>());

  useLiveChannel((signal) => {
    if (signal.type !== "change" || signal.change.userId !== userId) return;
    const { runId, status, kind } = signal.change;
    const before = lastStatus.current.get(runId);
    lastStatus.current.set(runId, status);
    const state = stateOf(status);
    // Only the change that moved the run there (a later usage or details change of a run
    // already in review, first seen by a tab opened since, is not an arrival).
    if (!state || kind !== "status" || before === status) return;
    if (document.visibilityState === "visible" && window.location.pathname.startsWith(`/runs/${runId}`)) return;
    void fetchJson<RunView>(`/api/runs/${encodeURIComponent(runId)}`)
      .then((run) => {
        // Moved on while we asked (pushed, a new round): nothing to say any more.
        if (run.status !== status) return;
        notifyRunState({ runId, title: run.title, repo: run.repo, state, error: run.error }, (path) => router.push(path));
      })
      .catch((err: Error) => console.warn(`[notifications] could not read run ${runId}:`, err.message));
  });
}
